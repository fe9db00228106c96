variable "zone_name" {
  description = "The Route53 public zone (e.g. example.com)."
  type        = string
}

variable "hostname" {
  description = "The app's host name (e.g. app.example.com)."
  type        = string
}

variable "load_balancer_hostname" {
  description = "The ingress controller's load balancer host name; empty until the chart is installed."
  type        = string
  default     = ""
}
