{{- /* What every container of the app image shares: security, settings, mounts, worker count. */}}

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
{{- if include "relayr.databaseCaVolume" . }}
- name: database-ca
  mountPath: {{ include "relayr.databaseCaDir" . }}
  readOnly: true
{{- end }}
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The volumes behind relayr.appVolumeMounts. */}}
{{- define "relayr.appVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
- name: metrics
  emptyDir:
    sizeLimit: 64Mi
{{- with include "relayr.databaseCaVolume" . }}
- name: database-ca
  {{- . | trim | nindent 2 }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Where the external database's CA is mounted (DATABASE_SSL_CA is a file in it). */}}
{{- define "relayr.databaseCaDir" -}}
/etc/relayr/database-ca
{{- end }}

{{/* The volume source of externalDatabase.tls.ca (a Secret or a ConfigMap, read-only), empty without one. */}}
{{- define "relayr.databaseCaVolume" -}}
{{- if not .Values.mysql.enabled }}
{{- with .Values.externalDatabase.tls.ca }}
{{- if .secretName }}
secret:
  secretName: {{ .secretName }}
  defaultMode: 0444
  items:
    - key: {{ .key }}
      path: {{ .key }}
{{- else if .configMapName }}
configMap:
  name: {{ .configMapName }}
  defaultMode: 0444
  items:
    - key: {{ .key }}
      path: {{ .key }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
What every app-image container shares (web, its init containers, the migration Job): image,
security context, settings from the ConfigMap, the secret key and the database password from
Secrets, the writable mounts, and the operator's extraEnv, extraEnvFrom and extraVolumeMounts. (dict "ctx" $ "name" NAME "command" LIST "resources" MAP),
optionally "env" and "volumeMounts" LISTs of the container's own.
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
    {{- with $ctx.Values.extraEnvFrom }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
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
    {{- with $ctx.Values.database.replicas }}
    {{- if and .hosts .existingSecret }}
    - name: DATABASE_REPLICA_PASSWORD
      valueFrom:
        secretKeyRef:
          name: {{ .existingSecret }}
          key: {{ .existingSecretPasswordKey }}
    {{- end }}
    {{- end }}
    {{- with (get . "env") }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with $ctx.Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  resources:
    {{- toYaml .resources | nindent 4 }}
  volumeMounts:
    {{- include "relayr.appVolumeMounts" $ctx | nindent 4 }}
    {{- with (get . "volumeMounts") }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{/* The init container that blocks until the database accepts connections. */}}
{{- define "relayr.waitForDatabaseContainer" -}}
{{- include "relayr.appContainer" (dict "ctx" .ctx "name" "wait-for-database" "resources" .resources "command" (list "python" "manage.py" "wait_for_database" "--timeout" (toString .ctx.Values.web.waitTimeoutSeconds))) }}
{{- end }}
