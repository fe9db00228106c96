# One DebtFlow environment: every module wired together. The env roots (envs/staging, envs/production) only pick
# sizes and switches.
data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  name = "debtflow-${var.environment}"
}

# One customer-managed key for the environment's data at rest (logs, database, cache, buckets, images, secrets).
resource "aws_kms_key" "this" {
  description         = "${local.name} data at rest"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms" {
  # A key policy's "*" resource is the key itself; the account's IAM policies then decide who uses it.
  #checkov:skip=CKV_AWS_109:Key policy: the account root administers its own key (AWS's default key policy).
  #checkov:skip=CKV_AWS_111:Key policy: the account root administers its own key (AWS's default key policy).
  #checkov:skip=CKV_AWS_356:Key policy: "*" names the key the policy is attached to, nothing else.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

module "networking" {
  source             = "../networking"
  name               = local.name
  availability_zones = var.availability_zones
  cidr               = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = aws_kms_key.this.arn
}

module "eks" {
  source              = "../eks"
  name                = local.name
  private_subnet_ids  = module.networking.private_subnet_ids
  public_access_cidrs = var.eks_public_access_cidrs
  kms_key_arn         = aws_kms_key.this.arn
  node_instance_types = var.node_instance_types
  node_min            = var.node_min
  node_max            = var.node_max
}

module "rds" {
  source                   = "../rds"
  name                     = local.name
  vpc_id                   = module.networking.vpc_id
  subnet_ids               = module.networking.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  kms_key_arn              = aws_kms_key.this.arn
  instance_class           = var.db_instance_class
  multi_az                 = var.db_multi_az
  backup_retention_days    = var.db_backup_retention_days
  deletion_protection      = var.deletion_protection
}

module "elasticache" {
  source                   = "../elasticache"
  name                     = local.name
  vpc_id                   = module.networking.vpc_id
  subnet_ids               = module.networking.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  kms_key_arn              = aws_kms_key.this.arn
  node_type                = var.redis_node_type
  replicas                 = var.redis_replicas
}

module "imports_bucket" {
  source            = "../s3"
  name              = "${var.bucket_prefix}-${local.name}-imports"
  kms_key_arn       = aws_kms_key.this.arn
  access_log_bucket = var.access_log_bucket
}

# Audit checkpoints: write-once for seven years (the retention compliance.md asks of collection records).
module "checkpoints_bucket" {
  source            = "../s3"
  name              = "${var.bucket_prefix}-${local.name}-checkpoints"
  kms_key_arn       = aws_kms_key.this.arn
  object_lock_days  = var.checkpoint_lock_days
  access_log_bucket = var.access_log_bucket
}

module "ecr" {
  source      = "../ecr"
  name        = local.name
  kms_key_arn = aws_kms_key.this.arn
}

module "secrets" {
  source       = "../secrets"
  name         = local.name
  kms_key_arn  = aws_kms_key.this.arn
  database_url = "postgresql://debtflow@${module.rds.endpoint}:5432/debtflow?sslmode=require"
  redis_url    = module.elasticache.redis_url
}

module "iam" {
  source            = "../iam"
  name              = local.name
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  bucket_arns       = { imports = module.imports_bucket.arn, checkpoints = module.checkpoints_bucket.arn }
  app_secret_arn    = module.secrets.app_secret_arn
  kms_key_arn       = aws_kms_key.this.arn
}

module "dns" {
  source                 = "../dns"
  zone_name              = var.zone_name
  hostname               = var.hostname
  load_balancer_hostname = var.load_balancer_hostname
}
