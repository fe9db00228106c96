"""plans: promises, payment plans and settlement offers with their instalments and payment allocations, cards saved
for autopay, creditors' settlement bounds, the plan facts kept on accounts (in the work-score index), and the
agency's grace days; row-level security on each new table

Revision ID: 0029_plans
Revises: 0028_portal
Create Date: 2026-12-07 04:24:38.596330

"""

import sqlalchemy as sa
from alembic import op

import app.timeutil
from app.pg import rls

TABLES = dict.fromkeys(
    ("plans", "instalments", "instalment_allocations", "settlement_bounds", "saved_cards"), "agency_id"
)
ASSIGNED = sa.text("assigned_collector_id IS NOT NULL")
OLD_SCORE_COLUMNS = ("current_balance", "priority", "created_at", "last_contact_at", "next_follow_up_at")


# revision identifiers, used by Alembic.
revision = "0029_plans"
down_revision = "0028_portal"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "settlement_bounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("creditor_id", sa.Integer(), nullable=False),
        sa.Column("max_discount_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("min_instalment", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("updated_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "max_discount_percent >= 0 AND max_discount_percent <= 100",
            name=op.f("ck_settlement_bounds_discount_range"),
        ),
        sa.CheckConstraint("min_instalment >= 0", name=op.f("ck_settlement_bounds_min_instalment_nonneg")),
        sa.ForeignKeyConstraint(
            ["agency_id", "creditor_id"],
            ["creditors.agency_id", "creditors.id"],
            name=op.f("fk_settlement_bounds_agency_id_creditors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_bounds")),
    )
    with op.batch_alter_table("settlement_bounds", schema=None) as batch_op:
        batch_op.create_index("ix_settlement_bounds_creditor", ["agency_id", "creditor_id"], unique=True)

    op.create_table(
        "saved_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("customer_ref", sa.String(length=255), nullable=False),
        sa.Column("payment_method_ref", sa.String(length=255), nullable=False),
        sa.Column("setup_intent_ref", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", app.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_saved_cards_account_id_accounts")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_saved_cards_agency_id_agencies")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_saved_cards_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_cards")),
        sa.UniqueConstraint("setup_intent_ref", name=op.f("uq_saved_cards_setup_intent_ref")),
    )
    with op.batch_alter_table("saved_cards", schema=None) as batch_op:
        batch_op.create_index("ix_saved_cards_account", ["agency_id", "account_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("promise", "plan", "settlement", name="plankind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum("active", "completed", "broken", "cancelled", name="planstate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum("weekly", "biweekly", "monthly", name="frequency", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("balance_at_start", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("waived_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("autopay_card_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("total > 0", name=op.f("ck_plans_total_positive")),
        sa.CheckConstraint("waived_amount >= 0", name=op.f("ck_plans_waived_nonneg")),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"], ["accounts.agency_id", "accounts.id"], name=op.f("fk_plans_agency_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["autopay_card_id"], ["saved_cards.id"], name=op.f("fk_plans_autopay_card_id_saved_cards")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_plans_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_account", ["account_id", "id"], unique=False)
        batch_op.create_index("ix_plans_agency_state", ["agency_id", "state", "kind"], unique=False)

    op.create_table(
        "instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("amount_paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "state",
            sa.Enum("scheduled", "paid", "partly_paid", "missed", name="instalmentstate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("charge_attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("retry_on", sa.Date(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_instalments_amount_positive")),
        sa.CheckConstraint("amount_paid >= 0 AND amount_paid <= amount", name=op.f("ck_instalments_paid_range")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_instalments_agency_id_agencies")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_instalments_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instalments")),
    )
    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_instalments_open_due",
            ["agency_id", "due_on"],
            unique=False,
            postgresql_where=sa.text("amount_paid < amount"),
            sqlite_where=sa.text("amount_paid < amount"),
        )
        batch_op.create_index("ix_instalments_plan_seq", ["plan_id", "seq"], unique=True)

    op.create_table(
        "instalment_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("instalment_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_instalment_allocations_amount_positive")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_instalment_allocations_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["instalment_id"], ["instalments.id"], name=op.f("fk_instalment_allocations_instalment_id_instalments")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_instalment_allocations_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instalment_allocations")),
    )
    with op.batch_alter_table("instalment_allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instalment_allocations_instalment_id"), ["instalment_id"], unique=False)
        batch_op.create_index("ix_instalment_allocations_payment", ["payment_id"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("plan_broken", sa.Boolean(), server_default=sa.false(), nullable=False))
        # The score reads plan_broken too: the index keeps every fact of it (an index-only scan)
        batch_op.drop_index("ix_accounts_collector_score")
        batch_op.create_index(
            "ix_accounts_collector_score",
            ["assigned_collector_id", "agency_id", "status", "id", *OLD_SCORE_COLUMNS, "plan_broken"],
            postgresql_where=ASSIGNED,
            sqlite_where=ASSIGNED,
        )
        batch_op.create_index(
            "ix_accounts_plan_broken",
            ["agency_id", "id"],
            unique=False,
            postgresql_where=sa.text("plan_broken"),
            sqlite_where=sa.text("plan_broken"),
        )
        batch_op.create_index(
            "ix_accounts_plan_due",
            ["agency_id", "plan_due_on"],
            unique=False,
            postgresql_where=sa.text("plan_due_on IS NOT NULL"),
            sqlite_where=sa.text("plan_due_on IS NOT NULL"),
        )

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("plan_grace_days", sa.SmallInteger(), server_default=sa.text("3"), nullable=False)
        )
    if op.get_bind().dialect.name == "postgresql":
        rls.install(op.get_bind(), TABLES)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        rls.drop_policies(op.get_bind(), TABLES)
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("plan_grace_days")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_accounts_plan_due",
            postgresql_where=sa.text("plan_due_on IS NOT NULL"),
            sqlite_where=sa.text("plan_due_on IS NOT NULL"),
        )
        batch_op.drop_index(
            "ix_accounts_plan_broken", postgresql_where=sa.text("plan_broken"), sqlite_where=sa.text("plan_broken")
        )
        batch_op.drop_index("ix_accounts_collector_score")
        batch_op.create_index(
            "ix_accounts_collector_score",
            ["assigned_collector_id", "agency_id", "status", "id", *OLD_SCORE_COLUMNS],
            postgresql_where=ASSIGNED,
            sqlite_where=ASSIGNED,
        )
        batch_op.drop_column("plan_broken")
        batch_op.drop_column("plan_due_on")

    with op.batch_alter_table("instalment_allocations", schema=None) as batch_op:
        batch_op.drop_index("ix_instalment_allocations_payment")
        batch_op.drop_index(batch_op.f("ix_instalment_allocations_instalment_id"))

    op.drop_table("instalment_allocations")
    with op.batch_alter_table("instalments", schema=None) as batch_op:
        batch_op.drop_index("ix_instalments_plan_seq")
        batch_op.drop_index(
            "ix_instalments_open_due",
            postgresql_where=sa.text("amount_paid < amount"),
            sqlite_where=sa.text("amount_paid < amount"),
        )

    op.drop_table("instalments")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_agency_state")
        batch_op.drop_index("ix_plans_account")

    op.drop_table("plans")
    with op.batch_alter_table("saved_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_cards_account")

    op.drop_table("saved_cards")
    with op.batch_alter_table("settlement_bounds", schema=None) as batch_op:
        batch_op.drop_index("ix_settlement_bounds_creditor")

    op.drop_table("settlement_bounds")
