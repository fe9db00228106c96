"""work score: follow-ups, the account's next follow-up, the agency's work-score weights

Revision ID: 0020_workscore
Revises: 0019_rls
Create Date: 2026-12-07 01:30:00

"""

import sqlalchemy as sa
from alembic import op

# The work score's columns as this revision indexes them (a copy: later changes to the models must not change it)
SCORE_COLUMNS = ["current_balance", "priority", "created_at", "last_contact_at", "next_follow_up_at"]
ASSIGNED = sa.text("assigned_collector_id IS NOT NULL")


revision = "0020_workscore"
down_revision = "0019_rls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"],
            ["accounts.agency_id", "accounts.id"],
            name=op.f("fk_follow_ups_agency_id_accounts"),
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_follow_ups_created_by_id_users")),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"], name=op.f("fk_follow_ups_done_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups") as batch:
        batch.create_index(
            "ix_follow_ups_open",
            ["account_id", "due_at"],
            postgresql_where=sa.text("done_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL"),
        )
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("next_follow_up_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("work_score_weights", sa.JSON(), nullable=True))
    with op.batch_alter_table("accounts") as batch:
        batch.create_index(
            "ix_accounts_collector_score",
            ["assigned_collector_id", "agency_id", "status", "id", *SCORE_COLUMNS],
            postgresql_where=ASSIGNED,
            sqlite_where=ASSIGNED,
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_index("ix_accounts_collector_score")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("work_score_weights")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("next_follow_up_at")
    op.drop_table("follow_ups")
