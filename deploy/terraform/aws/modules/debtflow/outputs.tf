output "cluster_name" {
  value = module.eks.cluster_name
}

output "ecr_repository_url" {
  value = module.ecr.repository_url
}

output "service_account_role_arns" {
  value = module.iam.role_arns
}

output "app_secret_arn" {
  value = module.secrets.app_secret_arn
}

output "certificate_arn" {
  value = module.dns.certificate_arn
}

output "bucket_names" {
  value = { imports = module.imports_bucket.name, checkpoints = module.checkpoints_bucket.name }
}
