"""guard: the account's stored contact block (read by the work score and "next account") and the seeded state
rules (Massachusetts, 940 CMR 7.04(1)(f)) for every agency that exists

Revision ID: 0030_guard
Revises: 0029_plans
Create Date: 2026-12-07 04:40:00

"""

import sqlalchemy as sa
from alembic import op

import app.timeutil

revision = "0030_guard"
down_revision = "0029_plans"
branch_labels = None
depends_on = None

# The work score's columns before this revision (0020, and 0029's plan_broken) and the index's condition
SCORE_COLUMNS = ["current_balance", "priority", "created_at", "last_contact_at", "next_follow_up_at", "plan_broken"]
ASSIGNED = sa.text("assigned_collector_id IS NOT NULL")
# The seeded rules as they stand today (a migration keeps its own copy: app.compliance.state_rules.SEEDED may
# change later, and this revision must keep inserting what it inserted).
SEEDED = (
    ("MA", "call,sms", "home,cell", 2, 7, "940 CMR 7.04(1)(f)"),
    ("MA", "call,sms", "work,other", 2, 30, "940 CMR 7.04(1)(f)"),
)
INSERT = sa.text(
    "INSERT INTO state_rules (agency_id, state, channels, point_kinds, max_count, window_days, citation, active, "
    "created_at) SELECT id, :state, :channels, :kinds, :max_count, :days, :citation, true, CURRENT_TIMESTAMP "
    "FROM agencies"
)


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_blocked_until", app.timeutil.UTCDateTime(timezone=True), nullable=True))
    _score_index(SCORE_COLUMNS + ["contact_blocked_until"])
    for state, channels, kinds, max_count, days, citation in SEEDED:
        values = dict(state=state, channels=channels, kinds=kinds, max_count=max_count, days=days, citation=citation)
        op.get_bind().execute(INSERT, values)


def downgrade():
    op.get_bind().execute(sa.text("DELETE FROM state_rules WHERE citation = '940 CMR 7.04(1)(f)'"))
    _score_index(SCORE_COLUMNS)
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("contact_blocked_until")


def _score_index(score_columns: list[str]) -> None:
    """The collector's work-score index with every column the score reads (index-only scans: 0020)."""
    with op.batch_alter_table("accounts") as batch:
        batch.drop_index("ix_accounts_collector_score")
        batch.create_index(
            "ix_accounts_collector_score",
            ["assigned_collector_id", "agency_id", "status", "id", *score_columns],
            postgresql_where=ASSIGNED,
            sqlite_where=ASSIGNED,
        )
