{{/* Name of the ingest objects (Deployment, PDB, NetworkPolicy, Secret). */}}
{{- define "relayr.ingest.fullname" -}}
{{- printf "%s-ingest" (include "relayr.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret holding the broker URL and credentials: ingest.existingSecret or the chart's own. */}}
{{- define "relayr.ingest.secretName" -}}
{{- .Values.ingest.existingSecret | default (include "relayr.ingest.fullname" .) }}
{{- end }}

{{/* The consumer's settings (relayr/settings/common.py, MQTT block) as container env entries. */}}
{{- define "relayr.ingest.env" -}}
{{- $ingest := .Values.ingest }}
{{- $secret := include "relayr.ingest.secretName" . }}
- name: MQTT_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: mqtt-url
{{- range list "username" "password" }}
- name: MQTT_{{ upper . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: mqtt-{{ . }}
      optional: true
{{- end }}
- name: MQTT_TOPIC
  value: {{ $ingest.topic | quote }}
- name: MQTT_SHARE_GROUP
  value: {{ $ingest.shareGroup | quote }}
- name: MQTT_DEAD_LETTER_TOPIC
  value: {{ $ingest.deadLetterTopic | quote }}
- name: MQTT_CREATE_SENSORS
  value: {{ $ingest.createSensors | quote }}
- name: MQTT_BATCH_SIZE
  value: {{ $ingest.batchSize | quote }}
- name: MQTT_MAX_PAYLOAD_BYTES
  value: {{ $ingest.maxPayloadBytes | quote }}
- name: MQTT_SESSION_EXPIRY_SECONDS
  value: {{ $ingest.sessionExpirySeconds | quote }}
- name: MQTT_HEALTH_PORT
  value: {{ $ingest.healthPort | quote }}
{{- if $ingest.caSecret }}
- name: MQTT_CA_FILE
  value: /etc/relayr/mqtt-ca/{{ $ingest.caSecretKey }}
{{- end }}
# One process, one registry: the web pods' multiprocess directory is not for the consumer.
- name: PROMETHEUS_MULTIPROC_DIR
  value: ""
{{- end }}
