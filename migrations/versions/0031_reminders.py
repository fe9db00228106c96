"""reminders: the reminder emails owed and sent (one per instalment, declined charge or broken plan), the debtor's
language; row-level security on the new table

Revision ID: 0031_reminders
Revises: 0030_guard
Create Date: 2026-12-07 05:50:00

"""

import sqlalchemy as sa
from alembic import op

import app.timeutil
from app.pg import rls

TABLES = {"reminders": "agency_id"}
PENDING = sa.text("state = 'pending'")

revision = "0031_reminders"
down_revision = "0030_guard"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("instalment_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("before_due", "charge_declined", "plan_broken", name="reminderkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "sent", "skipped", name="reminderstate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("try_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deferrals", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", app.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_reminders_agency_id_agencies")),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"], ["accounts.agency_id", "accounts.id"], name=op.f("fk_reminders_agency_id_accounts")
        ),
        sa.ForeignKeyConstraint(["instalment_id"], ["instalments.id"], name=op.f("fk_reminders_instalment_id_instalments")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_reminders_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index("ix_reminders_account", ["account_id", "id"], unique=False)
        batch_op.create_index("ix_reminders_key", ["agency_id", "key"], unique=True)
        batch_op.create_index(
            "ix_reminders_pending", ["try_at"], unique=False, postgresql_where=PENDING, sqlite_where=PENDING
        )
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        rls.install(op.get_bind(), TABLES)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        rls.drop_policies(op.get_bind(), TABLES)
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_pending", postgresql_where=PENDING, sqlite_where=PENDING)
        batch_op.drop_index("ix_reminders_key")
        batch_op.drop_index("ix_reminders_account")
    op.drop_table("reminders")
