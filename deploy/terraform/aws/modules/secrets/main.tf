# The app's secrets as one Secrets Manager entry (JSON), encrypted with the KMS key. External Secrets copies it
# into the Kubernetes Secret the chart names (existingSecret). Generated here once; rotated by operators
# (README "Key rotation" for the encryption keys).
resource "random_password" "secret_key" {
  length  = 64
  special = false
}

resource "random_password" "audit_key" {
  length  = 64
  special = false
}

resource "random_password" "metrics_token" {
  length  = 48
  special = false
}

# A Fernet key is 32 random bytes in URL-safe base64.
resource "random_id" "encryption_key" {
  byte_length = 32
}

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:Rotating these keys needs the app's own procedure (README "Key rotation": new key first, flask crypto rotate); a Lambda rotating them blindly would make encrypted fields unreadable.
  name                    = "${var.name}/app"
  description             = "DebtFlow application secrets (SECRET_KEY, DATABASE_URL, REDIS_URL, keys, tokens)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string = jsonencode({
    SECRET_KEY               = random_password.secret_key.result
    DATABASE_URL             = var.database_url
    REDIS_URL                = var.redis_url
    DEBTFLOW_ENCRYPTION_KEYS = replace(replace(random_id.encryption_key.b64_std, "+", "-"), "/", "_")
    DEBTFLOW_AUDIT_KEY       = random_password.audit_key.result
    DEBTFLOW_METRICS_TOKEN   = random_password.metrics_token.result
  })

  # Operators rotate keys and passwords in place; Terraform must not put the first values back.
  lifecycle {
    ignore_changes = [secret_string]
  }
}
