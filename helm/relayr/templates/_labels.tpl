{{- /* Labels and annotations of objects and pods. */}}

{{/* Labels on every object. */}}
{{- define "relayr.labels" -}}
helm.sh/chart: {{ include "relayr.chart" . }}
{{ include "relayr.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select this release's objects (the immutable part of every selector). */}}
{{- define "relayr.selectorLabels" -}}
app.kubernetes.io/name: {{ include "relayr.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The one place component labels are built: (dict "ctx" $ "component" "web|mysql|migrate|test"); the NetworkPolicies select on them. */}}
{{- define "relayr.componentLabels" -}}
{{ include "relayr.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector labels of one component: (dict "ctx" $ "component" "web"). */}}
{{- define "relayr.componentSelectorLabels" -}}
{{ include "relayr.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Checksums of the settings and generated Secrets, so a change rolls the pods. */}}
{{- define "relayr.checksumAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ print (include (print .Template.BasePath "/secret.yaml") .) (include (print .Template.BasePath "/mysql-secret.yaml") .) | sha256sum }}
{{- end }}

{{/* Labels of an app pod: its component's plus the operator's podLabels (dict "ctx" $ "component" "web|migrate"). */}}
{{- define "relayr.podLabels" -}}
{{ include "relayr.componentLabels" . }}
{{- with .ctx.Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Annotations of an app pod: the rollout checksums plus the operator's podAnnotations. */}}
{{- define "relayr.podAnnotations" -}}
{{ include "relayr.checksumAnnotations" . }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}
