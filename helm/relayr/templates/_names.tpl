{{- /* Names of the release's objects and of the app image. */}}

{{/* The chart name, or nameOverride. */}}
{{- define "relayr.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The resource name prefix: fullnameOverride, else release name (plus chart name unless it already holds it). */}}
{{- define "relayr.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version for the helm.sh/chart label. */}}
{{- define "relayr.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The ServiceAccount every pod runs as. */}}
{{- define "relayr.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "relayr.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The app image; the tag falls back to the chart's appVersion. */}}
{{- define "relayr.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Name of the MySQL objects (StatefulSet, Services, Secret, ConfigMap). */}}
{{- define "relayr.mysql.fullname" -}}
{{- printf "%s-mysql" (include "relayr.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The migration Job of this release revision: a new Job per revision, so upgrades never patch an immutable Job. */}}
{{- define "relayr.migrateJobName" -}}
{{- printf "%s-migrate-%d" (include "relayr.fullname" . | trunc 50 | trimSuffix "-") (int .Release.Revision) }}
{{- end }}

{{/* The Secret holding the Django secret key and the superuser password (unless both come from existing Secrets). */}}
{{- define "relayr.secretName" -}}
{{- include "relayr.fullname" . }}
{{- end }}
