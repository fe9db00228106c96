variable "name" {
  description = "Cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version (the chart needs 1.27 or later)."
  type        = string
  default     = "1.33"
}

variable "private_subnet_ids" {
  description = "Subnets of the control plane's interfaces and the nodes."
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "Addresses allowed to reach the API endpoint from the internet; empty: private endpoint only."
  type        = list(string)
  default     = []
  validation {
    condition     = !contains(var.public_access_cidrs, "0.0.0.0/0")
    error_message = "The EKS API is never open to the whole internet."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting Kubernetes secrets."
  type        = string
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min" {
  description = "Smallest node count."
  type        = number
  default     = 3
}

variable "node_max" {
  description = "Largest node count."
  type        = number
  default     = 10
}
