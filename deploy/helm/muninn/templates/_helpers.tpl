{{/*
Helpers. This chart is also rendered by scripts/render-chart.ts, which implements only a subset of
Helm's template language: see the README ("Template subset") before using a new function.
*/}}

{{/* Chart name. */}}
{{- define "muninn.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name, the prefix of every resource. 52 characters at most so that "<fullname>-migrate" and
"<fullname>-worker" stay valid DNS labels (63).
*/}}
{{- define "muninn.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "muninn.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "muninn.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: muninn
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select the release's pods; add app.kubernetes.io/component per workload. */}}
{{- define "muninn.selectorLabels" -}}
app.kubernetes.io/name: {{ include "muninn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "muninn.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "muninn.fullname" .) }}
{{- else }}
{{- .Values.serviceAccount.name | default "default" }}
{{- end }}
{{- end }}

{{- define "muninn.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/* The Secret holding DATABASE_URL, REDIS_URL, MUNINN_ENCRYPTION_KEY…: chart-made or existing. */}}
{{- define "muninn.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "muninn.fullname" .) }}
{{- end }}

{{/* ConfigMap data (also hashed into a pod annotation so that a change rolls the pods). */}}
{{- define "muninn.configData" -}}
NODE_ENV: "production"
NEXT_TELEMETRY_DISABLED: "1"
MUNINN_QUEUE_PREFIX: {{ .Values.config.queuePrefix | quote }}
MUNINN_ALLOWED_HOSTS: {{ .Values.config.allowedHosts | quote }}
{{- with .Values.config.publicUrl }}
MUNINN_PUBLIC_URL: {{ . | quote }}
{{- end }}
{{- range $k, $v := .Values.config.extraEnv }}
{{- if not (kindIs "string" $v) }}
{{- fail (printf "config.extraEnv.%s must be a string (quote it): Helm would print the number %v as %q" $k $v (toString $v)) }}
{{- end }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

{{/* Secret data of the chart-made Secret. The three core keys are always present, even empty. */}}
{{- define "muninn.secretData" -}}
DATABASE_URL: {{ .Values.secrets.databaseUrl | b64enc | quote }}
REDIS_URL: {{ .Values.secrets.redisUrl | b64enc | quote }}
MUNINN_ENCRYPTION_KEY: {{ .Values.secrets.encryptionKey | b64enc | quote }}
{{- with .Values.secrets.apiToken }}
MUNINN_API_TOKEN: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.secrets.redisPassword }}
REDIS_PASSWORD: {{ . | b64enc | quote }}
{{- end }}
{{- end }}

{{/* The BullMQ wait list of the step queue: prefix `{<queuePrefix>}` (hash tag), queue `steps`. */}}
{{- define "muninn.stepsWaitList" -}}
{{- printf "{%s}:steps:wait" .Values.config.queuePrefix }}
{{- end }}

{{/* Pod template annotations shared by web and worker. */}}
{{- define "muninn.podAnnotations" -}}
checksum/config: {{ include "muninn.configData" . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include "muninn.secretData" . | sha256sum }}
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* envFrom of the app containers: the ConfigMap, then the Secret. */}}
{{- define "muninn.envFrom" -}}
- configMapRef:
    name: {{ include "muninn.fullname" . }}
- secretRef:
    name: {{ include "muninn.secretName" . }}
{{- end }}

{{/* Node placement of one component: called with (dict "values" .Values.web "selector" <labels>). */}}
{{- define "muninn.scheduling" -}}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if or .values.topologySpreadConstraints (and (hasKey .values "spreadAcrossNodes") (index .values "spreadAcrossNodes")) }}
topologySpreadConstraints:
  {{- with .values.topologySpreadConstraints }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- if index .values "spreadAcrossNodes" }}
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- .selector | nindent 8 }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Volumes every app pod mounts because the root filesystem is read-only. */}}
{{- define "muninn.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/*
host:port of Redis for KEDA's redis trigger: keda.redis.address, else the host of secrets.redisUrl
(short names qualified with the release namespace: the KEDA operator resolves names from its own
namespace), else redis.<namespace>.svc.cluster.local:6379.
*/}}
{{- define "muninn.kedaRedisAddress" -}}
{{- if .Values.keda.redis.address }}
{{- .Values.keda.redis.address }}
{{- else }}
{{- $host := "redis" }}
{{- $port := "6379" }}
{{- if and .Values.secrets.redisUrl (not .Values.secrets.existingSecret) }}
{{- $u := urlParse .Values.secrets.redisUrl }}
{{- $host = $u.hostname }}
{{- $port = trimPrefix ":" (trimPrefix $u.hostname $u.host) | default "6379" }}
{{- end }}
{{- if not (contains "." $host) }}
{{- $host = printf "%s.%s.svc.cluster.local" $host .Release.Namespace }}
{{- end }}
{{- printf "%s:%s" $host $port }}
{{- end }}
{{- end }}

{{/* "true" or "false": TLS to Redis for KEDA. */}}
{{- define "muninn.kedaRedisTLS" -}}
{{- if kindIs "bool" .Values.keda.redis.enableTLS }}
{{- .Values.keda.redis.enableTLS }}
{{- else if and .Values.secrets.redisUrl (not .Values.secrets.existingSecret) }}
{{- eq (urlParse .Values.secrets.redisUrl).scheme "rediss" }}
{{- else }}
{{- false }}
{{- end }}
{{- end }}

{{/* Redis database number for KEDA, as a string. */}}
{{- define "muninn.kedaRedisDatabaseIndex" -}}
{{- $db := .Values.keda.redis.databaseIndex }}
{{- if and (kindIs "string" $db) (not $db) }}
{{- if and .Values.secrets.redisUrl (not .Values.secrets.existingSecret) }}
{{- trimPrefix "/" (urlParse .Values.secrets.redisUrl).path | default "0" }}
{{- else }}
{{- "0" }}
{{- end }}
{{- else }}
{{- int $db }}
{{- end }}
{{- end }}

{{/* Key of the Redis password in the Secret, or empty when KEDA connects without a password. */}}
{{- define "muninn.kedaRedisPasswordKey" -}}
{{- if .Values.keda.redis.passwordSecretKey }}
{{- .Values.keda.redis.passwordSecretKey }}
{{- else if and .Values.secrets.redisPassword (not .Values.secrets.existingSecret) }}
{{- "REDIS_PASSWORD" }}
{{- end }}
{{- end }}

{{- define "muninn.kedaPrometheusQuery" -}}
{{- .Values.keda.prometheus.query | default (printf "max(muninn_queue_waiting{queue=\"steps\",namespace=\"%s\"})" .Release.Namespace) }}
{{- end }}

{{/* Checks that fail the render with an explanation instead of deploying something broken. */}}
{{- define "muninn.validate" -}}
{{- if or (contains "{" .Values.config.queuePrefix) (contains "}" .Values.config.queuePrefix) (not .Values.config.queuePrefix) }}
{{- fail "config.queuePrefix must be non-empty and without braces: the app adds the {…} hash tag itself" }}
{{- end }}
{{- if lt (int .Values.worker.databasePoolSize) (int .Values.worker.concurrency) }}
{{- fail (printf "worker.databasePoolSize (%d) must be at least worker.concurrency (%d): every running step holds a connection for its transaction" (int .Values.worker.databasePoolSize) (int .Values.worker.concurrency)) }}
{{- end }}
{{- if lt (int .Values.worker.terminationGraceMarginSeconds) 5 }}
{{- fail "worker.terminationGraceMarginSeconds must be at least 5: the pod needs time after the drain to close its connections" }}
{{- end }}
{{- if .Values.keda.enabled }}
{{- if not (or (eq .Values.keda.trigger "redis") (eq .Values.keda.trigger "prometheus")) }}
{{- fail (printf "keda.trigger must be redis or prometheus, not %q" .Values.keda.trigger) }}
{{- end }}
{{- if lt (int .Values.keda.minReplicaCount) 1 }}
{{- fail "keda.minReplicaCount must be at least 1: delayed steps, schedules and the outbox reconciler need a running worker, and they are not counted in the wait list that would wake one up" }}
{{- end }}
{{- if lt (int .Values.keda.maxReplicaCount) (int .Values.keda.minReplicaCount) }}
{{- fail "keda.maxReplicaCount must be at least keda.minReplicaCount" }}
{{- end }}
{{- if and .Values.keda.redis.cluster (ne (include "muninn.kedaRedisDatabaseIndex" .) "0") }}
{{- fail "keda.redis.databaseIndex must be 0 with keda.redis.cluster (Redis Cluster has only database 0)" }}
{{- end }}
{{- end }}
{{- end }}
