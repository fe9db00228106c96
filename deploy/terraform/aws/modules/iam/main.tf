# IAM roles for service accounts (IRSA): each Kubernetes service account of the chart assumes its own role, and
# only that one. Workers (and the CronJobs, which run as the worker account) read and write the S3 buckets; web
# reads the application's Secrets Manager entry.
locals {
  issuer = replace(var.oidc_issuer, "https://", "")
}

data "aws_iam_policy_document" "assume" {
  for_each = toset(["web", "worker"])
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.release}-${each.key}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each           = data.aws_iam_policy_document.assume
  name               = "${var.name}-${each.key}"
  assume_role_policy = each.value.json
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = values(var.bucket_arns)
  }
  statement {
    sid       = "ImportFiles"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arns["imports"]}/*"]
  }
  # Checkpoints are written once and read back for `flask audit verify --against`; never deleted.
  statement {
    sid       = "AuditCheckpoints"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.bucket_arns["checkpoints"]}/*"]
  }
  statement {
    sid       = "BucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

data "aws_iam_policy_document" "web" {
  statement {
    sid       = "AppSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [var.app_secret_arn]
  }
  statement {
    sid       = "SecretKey"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "s3"
  role   = aws_iam_role.this["worker"].id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_iam_role_policy" "web" {
  name   = "secrets"
  role   = aws_iam_role.this["web"].id
  policy = data.aws_iam_policy_document.web.json
}
