# Staging: the same shape as production, smaller and cheaper (one NAT gateway, single-AZ database, no replica).
module "debtflow" {
  source                   = "../../modules/debtflow"
  environment              = "staging"
  vpc_cidr                 = "10.30.0.0/16"
  availability_zones       = ["${var.region}a", "${var.region}b"]
  single_nat_gateway       = true
  eks_public_access_cidrs  = var.eks_public_access_cidrs
  node_instance_types      = ["t3.large"]
  node_min                 = 2
  node_max                 = 4
  db_instance_class        = "db.t4g.medium"
  db_multi_az              = false
  db_backup_retention_days = 7
  deletion_protection      = false
  redis_node_type          = "cache.t4g.small"
  redis_replicas           = 0
  bucket_prefix            = var.bucket_prefix
  access_log_bucket        = var.access_log_bucket
  zone_name                = var.zone_name
  hostname                 = "staging.${var.zone_name}"
  load_balancer_hostname   = var.load_balancer_hostname
}
