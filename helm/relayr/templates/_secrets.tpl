{{- /* Generated credentials and where containers find the passwords. */}}

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
