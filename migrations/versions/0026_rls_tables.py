"""rls tables: row-level security on the tenant tables added since 0019 (PostgreSQL only)

Revision ID: 0026_rls_tables
Revises: 0025_operators
Create Date: 2026-12-07 02:45:00

"""

from alembic import op

from app.pg import rls

revision = "0026_rls_tables"
down_revision = "0025_operators"
branch_labels = None
depends_on = None

# The tenant tables created by 0020–0025, which were written beside 0019 and merged after it.
TABLES = dict.fromkeys(
    ("follow_ups", "bulk_operations", "api_tokens", "webhook_endpoints", "webhook_deliveries"), "agency_id"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rls.install(op.get_bind(), TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rls.drop_policies(op.get_bind(), TABLES)
