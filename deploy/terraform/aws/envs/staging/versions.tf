terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
  # State in S3 with native locking; the bucket is made once by hand per account (not by this configuration).
  backend "s3" {
    key          = "debtflow/staging/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Application = "debtflow"
      Environment = "staging"
      ManagedBy   = "terraform"
    }
  }
}
