variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "bucket_prefix" {
  description = "Globally unique prefix of the S3 bucket names."
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

variable "eks_public_access_cidrs" {
  description = "Addresses allowed to the EKS API (CI runners, operators)."
  type        = list(string)
  default     = []
}

variable "load_balancer_hostname" {
  description = "The ingress load balancer's host name, once the chart is installed."
  type        = string
  default     = ""
}
