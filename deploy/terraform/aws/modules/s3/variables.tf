variable "name" {
  description = "Bucket name (globally unique, e.g. acme-debtflow-production-imports)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the objects."
  type        = string
}

variable "object_lock_days" {
  description = "Days each object is locked against deletion and overwrite (compliance mode); 0: no object lock."
  type        = number
  default     = 0
}

variable "access_log_bucket" {
  description = "The organisation's S3 access-log bucket."
  type        = string
}
