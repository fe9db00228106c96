variable "name" {
  description = "Name prefix of every resource (e.g. debtflow-production)."
  type        = string
}

variable "cidr" {
  description = "The VPC's address range; public subnets take the first half's /20s, private ones the second's."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones to spread over (2 or 3), by name."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, for staging) instead of one per zone."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key encrypting the flow logs."
  type        = string
}
