{{/* Names and labels shared by every template. */}}
{{- define "debtflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "debtflow.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "debtflow.labels" -}}
{{ include "debtflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The image reference: by digest when one is given, else by tag. */}}
{{- define "debtflow.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "debtflow.secretName" -}}
{{- required "existingSecret: the name of the pre-created Secret with DebtFlow's secrets" .Values.existingSecret -}}
{{- end -}}

{{- define "debtflow.claim" -}}
{{- $p := index .root.Values.persistence .name -}}
{{- $p.existingClaim | default (printf "%s-%s" (include "debtflow.fullname" .root) .name) -}}
{{- end -}}

{{/*
The container every DebtFlow process shares: image, environment (ConfigMap + the existing Secret), security
context, the shared volumes. Call with (dict "root" $ "component" "web" "command" (list ...) "configMap" name), and optionally "env" (a map
of extra variables) and "ports" (the container's ports).
*/}}
{{- define "debtflow.container" -}}
{{- $root := .root -}}
name: {{ .component }}
image: {{ include "debtflow.image" $root }}
imagePullPolicy: {{ $root.Values.image.pullPolicy }}
{{- with .command }}
args:
  {{- toYaml . | nindent 2 }}
{{- end }}
envFrom:
  - configMapRef:
      name: {{ .configMap | default (printf "%s-config" (include "debtflow.fullname" $root)) }}
  - secretRef:
      name: {{ include "debtflow.secretName" $root }}
env:
  - name: DEBTFLOW_COMPONENT
    value: {{ .component }}
  # rq's command line reads its Redis URL from here, so it never appears in the pod's arguments.
  - name: RQ_REDIS_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "debtflow.secretName" $root }}
        key: REDIS_URL
  {{- range $name, $value := .env }}
  - name: {{ $name }}
    value: {{ $value | quote }}
  {{- end }}
{{- with .ports }}
ports:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.securityContext | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  {{- if .storage }}
  - name: imports
    mountPath: /data/imports
  - name: checkpoints
    mountPath: /data/audit-checkpoints
  {{- end }}
{{- end -}}

{{/* The pod-level volumes matching debtflow.container's mounts. */}}
{{- define "debtflow.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- if .storage }}
- name: imports
  persistentVolumeClaim:
    claimName: {{ include "debtflow.claim" (dict "root" .root "name" "imports") }}
- name: checkpoints
  persistentVolumeClaim:
    claimName: {{ include "debtflow.claim" (dict "root" .root "name" "checkpoints") }}
{{- end }}
{{- end -}}

{{/* Pod settings shared by every DebtFlow pod. */}}
{{- define "debtflow.podSpec" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "debtflow.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: http
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
{{- end -}}
