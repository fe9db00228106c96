variable "name" {
  description = "Secret name prefix."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the secret."
  type        = string
}

variable "database_url" {
  description = "DATABASE_URL (the password is completed from the RDS-managed secret by the operator)."
  type        = string
  sensitive   = true
}

variable "redis_url" {
  description = "REDIS_URL with TLS and the AUTH token."
  type        = string
  sensitive   = true
}
