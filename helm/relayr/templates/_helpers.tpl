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

{{/*
A generated credential, stable for the life of the release: (dict "ctx" $ "secret" NAME "key" KEY "length" N).
Precedence, first match wins:
  1. the value this render already produced (memoised on the root context, so the Secret and the
     checksum annotation that includes it agree within one render);
  2. the value in the release's existing Secret (`lookup`; keeps passwords on every upgrade -
     `helm template` and `helm lint` have no cluster, so there it is always empty);
  3. a new random value (first install only).
Credentials with an `existingSecret` value never reach this helper: no Secret is rendered for them.
*/}}
{{- define "relayr.generatedValue" -}}
{{- $ctx := .ctx }}
{{- if not (hasKey $ctx "relayrGenerated") }}
{{- $_ := set $ctx "relayrGenerated" dict }}
{{- end }}
{{- $memo := get $ctx "relayrGenerated" }}
{{- $memoKey := printf "%s/%s" .secret .key }}
{{- if not (hasKey $memo $memoKey) }}
{{- $existing := dig "data" dict (lookup "v1" "Secret" $ctx.Release.Namespace .secret) }}
{{- if hasKey $existing .key }}
{{- $_ := set $memo $memoKey (index $existing .key | b64dec) }}
{{- else }}
{{- $_ := set $memo $memoKey (randAlphaNum (int .length)) }}
{{- end }}
{{- end }}
{{- get $memo $memoKey }}
{{- end }}

{{/* Secret name and key of the app database password: bundled MySQL's Secret or the external one. */}}
{{- define "relayr.databasePasswordRef" -}}
{{- if .Values.mysql.enabled }}
name: {{ .Values.mysql.auth.existingSecret | default (include "relayr.mysql.fullname" .) }}
key: mysql-password
{{- else }}
name: {{ .Values.externalDatabase.existingSecret }}
key: {{ .Values.externalDatabase.existingSecretPasswordKey }}
{{- end }}
{{- end }}

{{/* WEB_CONCURRENCY from the pod's CPU limit (else request): max(1, ceil(cpu x workersPerCpu)); never the node's cores. */}}
{{- define "relayr.webConcurrency" -}}
{{- if .Values.web.concurrency }}
{{- .Values.web.concurrency }}
{{- else }}
{{- $resources := .Values.web.resources | default dict }}
{{- $cpu := dig "limits" "cpu" "" $resources | default (dig "requests" "cpu" "1" $resources) | toString }}
{{- $millicores := 0 }}
{{- if hasSuffix "m" $cpu }}
{{- $millicores = trimSuffix "m" $cpu | atoi }}
{{- else }}
{{- $millicores = mulf (float64 $cpu) 1000 | floor | int }}
{{- end }}
{{- $workers := div (add (mul $millicores (int .Values.web.workersPerCpu)) 999) 1000 }}
{{- max 1 $workers }}
{{- end }}
{{- end }}

{{/* The most web pods that may run at once: the autoscaler's maximum (or replicas) plus the rolling-update surge. */}}
{{- define "relayr.maxWebPods" -}}
{{- add (ternary .Values.autoscaling.maxReplicas .Values.web.replicaCount .Values.autoscaling.enabled) .Values.web.maxSurge }}
{{- end }}

{{/* Pod-level security context of every app-image pod (web, migration Job, helm test). */}}
{{- define "relayr.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container security context: non-root, read-only root filesystem, no privilege escalation, no capabilities. (dict "uid" N "gid" N) */}}
{{- define "relayr.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The writable mounts every app container needs on its read-only root filesystem. */}}
{{- define "relayr.appVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: metrics
  mountPath: {{ .Values.metrics.multiprocDir }}
{{- end }}

{{/* The volumes behind relayr.appVolumeMounts. */}}
{{- define "relayr.appVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
- name: metrics
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{/*
What every app-image container shares (web, its init containers, the migration Job): image,
security context, settings from the ConfigMap, the secret key and the database password from
Secrets, and the writable mounts. (dict "ctx" $ "name" NAME "command" LIST "resources" MAP)
*/}}
{{- define "relayr.appContainer" -}}
{{- $ctx := .ctx -}}
- name: {{ .name }}
  image: {{ include "relayr.image" $ctx }}
  imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
  command:
    {{- toYaml .command | nindent 4 }}
  securityContext:
    {{- include "relayr.containerSecurityContext" (dict "uid" $ctx.Values.podSecurityContext.runAsUser "gid" $ctx.Values.podSecurityContext.runAsGroup) | nindent 4 }}
  envFrom:
    - configMapRef:
        name: {{ include "relayr.fullname" $ctx }}
  env:
    - name: DJANGO_SECRET_KEY
      valueFrom:
        secretKeyRef:
          name: {{ $ctx.Values.django.existingSecret | default (include "relayr.secretName" $ctx) }}
          key: {{ ternary $ctx.Values.django.existingSecretKey "secret-key" (ne $ctx.Values.django.existingSecret "") }}
    - name: DATABASE_PASSWORD
      valueFrom:
        secretKeyRef:
          {{- include "relayr.databasePasswordRef" $ctx | trim | nindent 10 }}
    {{- with (get . "env") }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  resources:
    {{- toYaml .resources | nindent 4 }}
  volumeMounts:
    {{- include "relayr.appVolumeMounts" $ctx | nindent 4 }}
{{- end }}

{{/* The init container that blocks until the database accepts connections. */}}
{{- define "relayr.waitForDatabaseContainer" -}}
{{- include "relayr.appContainer" (dict "ctx" .ctx "name" "wait-for-database" "resources" .resources "command" (list "python" "manage.py" "wait_for_database" "--timeout" (toString .ctx.Values.web.waitTimeoutSeconds))) }}
{{- end }}

{{/* Checksums of the settings and generated Secrets, so a change rolls the pods. */}}
{{- define "relayr.checksumAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ print (include (print .Template.BasePath "/secret.yaml") .) (include (print .Template.BasePath "/mysql-secret.yaml") .) | sha256sum }}
{{- end }}

{{/* Impossible value combinations, reported together in one failure. */}}
{{- define "relayr.validateValues" -}}
{{- $errors := list }}
{{- if and (not .Values.mysql.enabled) (not .Values.externalDatabase.host) }}
{{- $errors = append $errors "mysql.enabled=false needs externalDatabase.host" }}
{{- end }}
{{- if and (not .Values.mysql.enabled) (not .Values.externalDatabase.existingSecret) }}
{{- $errors = append $errors "mysql.enabled=false needs externalDatabase.existingSecret (a Secret holding the database password)" }}
{{- end }}
{{- $grace := int .Values.web.terminationGracePeriodSeconds }}
{{- $needed := add .Values.web.preStopSleepSeconds .Values.web.gracefulTimeout }}
{{- if le $grace (int $needed) }}
{{- $errors = append $errors (printf "web.terminationGracePeriodSeconds (%d) must exceed web.preStopSleepSeconds + web.gracefulTimeout (%d), or in-flight requests are cut" $grace (int $needed)) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- $errors = append $errors "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- $maxConnections := ternary .Values.mysql.maxConnections .Values.externalDatabase.maxConnections .Values.mysql.enabled | int }}
{{- if gt $maxConnections 0 }}
{{- /* Each gunicorn worker keeps at most one connection; the Job and one operator session come on top. */}}
{{- $budget := add (mul (include "relayr.maxWebPods" . | int) (include "relayr.webConcurrency" . | int)) 2 }}
{{- if ge (int $budget) $maxConnections }}
{{- $errors = append $errors (printf "connection budget %d (max web pods %s x WEB_CONCURRENCY %s + migration Job + 1 spare) must stay below max_connections %d: lower autoscaling.maxReplicas or the worker count, or raise mysql.maxConnections" (int $budget) (include "relayr.maxWebPods" .) (include "relayr.webConcurrency" .) $maxConnections) }}
{{- end }}
{{- end }}
{{- range .Values.ingress.tls }}
{{- if not .hosts }}
{{- $errors = append $errors "every ingress.tls entry needs hosts" }}
{{- end }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\n\nrelayr: invalid values:\n  - %s\n" (join "\n  - " $errors)) }}
{{- end }}
{{- end }}
