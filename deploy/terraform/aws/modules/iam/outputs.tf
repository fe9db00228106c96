# Annotate the chart's service accounts with these (eks.amazonaws.com/role-arn): values-production.yaml shows how.
output "role_arns" {
  value = { for key, role in aws_iam_role.this : key => role.arn }
}
