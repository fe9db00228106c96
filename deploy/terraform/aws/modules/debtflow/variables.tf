variable "environment" {
  description = "staging or production."
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment is staging or production."
  }
}

variable "vpc_cidr" {
  description = "The VPC's address range."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones by name, pinned (a zone AWS adds later never changes the network)."
  type        = list(string)
}

variable "checkpoint_lock_days" {
  description = "Days each audit checkpoint stays write-once in S3."
  type        = number
  default     = 2555
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones."
  type        = bool
  default     = false
}

variable "eks_public_access_cidrs" {
  description = "Addresses allowed to the EKS API from the internet (CI runners, operators)."
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "EKS node instance types."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min" {
  description = "Fewest EKS nodes."
  type        = number
  default     = 3
}

variable "node_max" {
  description = "Most EKS nodes."
  type        = number
  default     = 10
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.m6g.large"
}

variable "db_multi_az" {
  description = "RDS Multi-AZ standby."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "RDS automated backup retention."
  type        = number
  default     = 14
}

variable "deletion_protection" {
  description = "Protect the database from deletion."
  type        = bool
  default     = true
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.m6g.large"
}

variable "redis_replicas" {
  description = "ElastiCache replicas."
  type        = number
  default     = 1
}

variable "bucket_prefix" {
  description = "Globally unique prefix of the S3 bucket names (e.g. the organisation's name)."
  type        = string
}

variable "access_log_bucket" {
  description = "The organisation's S3 access-log bucket."
  type        = string
}

variable "zone_name" {
  description = "Route53 public zone."
  type        = string
}

variable "hostname" {
  description = "The app's host name."
  type        = string
}

variable "load_balancer_hostname" {
  description = "The ingress load balancer's host name, once known."
  type        = string
  default     = ""
}
