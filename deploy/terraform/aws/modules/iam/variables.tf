variable "name" {
  description = "Role name prefix."
  type        = string
}

variable "oidc_provider_arn" {
  description = "The EKS cluster's OIDC provider."
  type        = string
}

variable "oidc_issuer" {
  description = "The EKS cluster's OIDC issuer URL."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the Helm release."
  type        = string
  default     = "debtflow"
}

variable "release" {
  description = "Helm release name (the chart names its service accounts <release>-web and <release>-worker)."
  type        = string
  default     = "debtflow"
}

variable "bucket_arns" {
  description = "The S3 buckets by role: imports, checkpoints."
  type        = map(string)
}

variable "app_secret_arn" {
  description = "The Secrets Manager entry holding the app's secrets."
  type        = string
}

variable "kms_key_arn" {
  description = "The KMS key of the buckets and the secret."
  type        = string
}
