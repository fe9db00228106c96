variable "name" {
  description = "Replication group id."
  type        = string
}

variable "vpc_id" {
  description = "The VPC."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group allowed to connect (the EKS cluster's)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting data at rest."
  type        = string
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.m6g.large"
}

variable "replicas" {
  description = "Read replicas (1 or more enables automatic failover)."
  type        = number
  default     = 1
}
