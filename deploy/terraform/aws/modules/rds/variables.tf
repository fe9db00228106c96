variable "name" {
  description = "Instance identifier."
  type        = string
}

variable "vpc_id" {
  description = "The VPC."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the DB subnet group."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group allowed to connect (the EKS cluster's)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting storage, the master password secret and Performance Insights."
  type        = string
}

variable "instance_class" {
  description = "Instance class."
  type        = string
  default     = "db.m6g.large"
}

variable "storage_gb" {
  description = "Initial storage; autoscaling goes up to four times this."
  type        = number
  default     = 100
}

variable "multi_az" {
  description = "A standby in another zone (production)."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery)."
  type        = number
  default     = 14
}

variable "deletion_protection" {
  description = "Refuse to delete the instance."
  type        = bool
  default     = true
}
