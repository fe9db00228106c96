# Production: three zones, a NAT gateway per zone, Multi-AZ encrypted database with 30 days of backups, a Redis
# replica with automatic failover.
module "debtflow" {
  source                   = "../../modules/debtflow"
  environment              = "production"
  vpc_cidr                 = "10.40.0.0/16"
  availability_zones       = ["${var.region}a", "${var.region}b", "${var.region}c"]
  single_nat_gateway       = false
  eks_public_access_cidrs  = var.eks_public_access_cidrs
  node_instance_types      = ["m6i.large"]
  node_min                 = 3
  node_max                 = 10
  db_instance_class        = "db.m6g.large"
  db_multi_az              = true
  db_backup_retention_days = 30
  deletion_protection      = true
  redis_node_type          = "cache.m6g.large"
  redis_replicas           = 1
  bucket_prefix            = var.bucket_prefix
  access_log_bucket        = var.access_log_bucket
  zone_name                = var.zone_name
  hostname                 = "app.${var.zone_name}"
  load_balancer_hostname   = var.load_balancer_hostname
}
