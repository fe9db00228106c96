# The app's name in the organisation's Route53 zone, and its ACM certificate validated by DNS. The record points
# at the ingress controller's load balancer (its hostname is known once the chart is installed).
data "aws_route53_zone" "this" {
  name         = var.zone_name
  private_zone = false
}

resource "aws_acm_certificate" "this" {
  domain_name       = var.hostname
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = {
    for option in aws_acm_certificate.this.domain_validation_options : option.domain_name => option
  }
  zone_id = data.aws_route53_zone.this.zone_id
  name    = each.value.resource_record_name
  type    = each.value.resource_record_type
  records = [each.value.resource_record_value]
  ttl     = 300
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for record in aws_route53_record.validation : record.fqdn]
}

resource "aws_route53_record" "app" {
  count   = var.load_balancer_hostname == "" ? 0 : 1
  zone_id = data.aws_route53_zone.this.zone_id
  name    = var.hostname
  type    = "CNAME"
  records = [var.load_balancer_hostname]
  ttl     = 300
}
