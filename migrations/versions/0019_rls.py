"""rls: row-level security on the tenant tables, and the worklist's reader role (PostgreSQL only)

Revision ID: 0019_rls
Revises: 0018_import_job_rq_id
Create Date: 2026-12-07 01:30:00

"""

from alembic import op

from app.pg import rls

revision = "0019_rls"
down_revision = "0018_import_job_rq_id"
branch_labels = None
depends_on = None

# The tenant tables as of this revision (a later table gets its policy from its own migration; a test compares
# the installed policies with the models).
TABLES = {"agencies": "id"} | dict.fromkeys(
    (
        "account_totals",
        "accounts",
        "activities",
        "audit_chain_heads",
        "audit_events",
        "audit_legacy_boundaries",
        "collector_account_days",
        "collector_day_counts",
        "collector_payment_days",
        "collector_profiles",
        "creditors",
        "debtors",
        "import_jobs",
        "import_sources",
        "open_due_dates",
        "payment_days",
        "payments",
        "recovery_codes",
        "refunds",
        "stripe_events",
    ),
    "agency_id",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rls.install(op.get_bind(), TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rls.drop_reader(op.get_bind())
        rls.uninstall(op.get_bind(), TABLES)
