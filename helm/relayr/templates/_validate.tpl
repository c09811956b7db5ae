{{- /* Render-time checks of the values; NOTES.txt calls relayr.validateValues, once per render. */}}

{{/* The most web pods that may run at once: the autoscaler's maximum (or replicas) plus the rolling-update surge. */}}
{{- define "relayr.maxWebPods" -}}
{{- add (ternary .Values.autoscaling.maxReplicas .Values.web.replicaCount .Values.autoscaling.enabled) .Values.web.maxSurge }}
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
{{- /* Each ingest pod holds one connection too. */}}
{{- $ingestPods := ternary .Values.ingest.replicaCount 0 .Values.ingest.enabled | int }}
{{- /* The retention CronJob's pod one more (concurrencyPolicy Forbid: never two at once). */}}
{{- $retention := ternary 1 0 .Values.retention.enabled }}
{{- $budget := add (mul (include "relayr.maxWebPods" . | int) (include "relayr.webConcurrency" . | int)) $ingestPods 2 $retention }}
{{- if ge (int $budget) $maxConnections }}
{{- $ingestTerm := ternary (printf " + %d ingest pods" $ingestPods) "" (gt $ingestPods 0) }}
{{- $errors = append $errors (printf "connection budget %d (max web pods %s x WEB_CONCURRENCY %s%s + migration Job%s + 1 spare) must stay below max_connections %d: lower autoscaling.maxReplicas, the worker count or ingest.replicaCount, or raise mysql.maxConnections" (int $budget) (include "relayr.maxWebPods" .) (include "relayr.webConcurrency" .) $ingestTerm (ternary " + retention CronJob" "" .Values.retention.enabled) $maxConnections) }}
{{- end }}
{{- end }}
{{- with .Values.externalDatabase.tls }}
{{- if and .ca.secretName .ca.configMapName }}
{{- $errors = append $errors "externalDatabase.tls.ca takes secretName or configMapName, not both" }}
{{- end }}
{{- if and (hasPrefix "VERIFY_" .mode) (not (or .ca.secretName .ca.configMapName)) }}
{{- $errors = append $errors (printf "externalDatabase.tls.mode %s needs the CA that signed the server's certificate: externalDatabase.tls.ca.secretName or configMapName" .mode) }}
{{- end }}
{{- end }}
{{- if and .Values.mysql.enabled (or .Values.externalDatabase.tls.mode .Values.externalDatabase.tls.ca.secretName .Values.externalDatabase.tls.ca.configMapName) }}
{{- $errors = append $errors "externalDatabase.tls applies with mysql.enabled=false; for the bundled MySQL use mysql.tls.required" }}
{{- end }}
{{- if and .Values.ingest.enabled (not .Values.ingest.brokerUrl) (not .Values.ingest.existingSecret) }}
{{- $errors = append $errors "ingest.enabled=true needs ingest.brokerUrl or ingest.existingSecret (a Secret with key mqtt-url)" }}
{{- end }}
{{- if and .Values.ingest.brokerUrl .Values.ingest.existingSecret }}
{{- $errors = append $errors "ingest.brokerUrl and ingest.existingSecret exclude each other: the URL lives in the Secret" }}
{{- end }}
{{- range .Values.ingress.tls }}
{{- if not .hosts }}
{{- $errors = append $errors "every ingress.tls entry needs hosts" }}
{{- end }}
{{- end }}
{{- /* Names the chart itself sets: a second entry would be a duplicate key or a silent override. */}}
{{- $chartEnv := list "DJANGO_SECRET_KEY" "DATABASE_PASSWORD" "PORT" "WEB_CONCURRENCY" "GUNICORN_TIMEOUT" "GUNICORN_GRACEFUL_TIMEOUT" "GUNICORN_MAX_REQUESTS" "DJANGO_SUPERUSER_USERNAME" "DJANGO_SUPERUSER_EMAIL" "DJANGO_SUPERUSER_PASSWORD" }}
{{- range .Values.extraEnv }}
{{- if has .name $chartEnv }}
{{- $errors = append $errors (printf "extraEnv %s is set by the chart; use its value in values.yaml instead" .name) }}
{{- end }}
{{- end }}
{{- range .Values.extraVolumes }}
{{- if has .name (list "tmp" "metrics" "database-ca") }}
{{- $errors = append $errors (printf "extraVolumes name %s is taken by the chart's own volume" .name) }}
{{- end }}
{{- end }}
{{- range $key, $_ := .Values.podLabels }}
{{- if or (hasPrefix "app.kubernetes.io/" $key) (eq $key "helm.sh/chart") }}
{{- $errors = append $errors (printf "podLabels %s is set by the chart (selectors depend on it)" $key) }}
{{- end }}
{{- end }}
{{- range $key, $_ := .Values.podAnnotations }}
{{- if or (hasPrefix "checksum/" $key) (hasPrefix "prometheus.io/" $key) }}
{{- $errors = append $errors (printf "podAnnotations %s is set by the chart (metrics.podAnnotations turns the prometheus.io ones off)" $key) }}
{{- end }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\n\nrelayr: invalid values:\n  - %s\n" (join "\n  - " $errors)) }}
{{- end }}
{{- end }}
