"""analytics and settings: agency address, analytics indexes, dashboard and aging rollups (PostgreSQL triggers)

Revision ID: 0004_analytics_settings
Revises: 0003_payments
Create Date: 2026-11-27 23:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004_analytics_settings"
down_revision = "0003_payments"
branch_labels = None
depends_on = None

COLUMNS = (
    ("address_line1", 200, ""),
    ("address_line2", 200, ""),
    ("city", 100, ""),
    ("region", 100, ""),
    ("postal_code", 20, ""),
    ("country", 2, "US"),
)
APPLIED = "('completed', 'partially_refunded', 'refunded')"
# What one row contributes to each rollup; {rows} is a transition table, {sign} 1 or -1.
ACCOUNT_ROWS = (
    "SELECT agency_id, status, {sign} AS n, {sign} * current_balance AS b, {sign} * original_amount AS p FROM {rows}"
)
PAYMENT_ROWS = (
    "SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date AS day, {sign} * (r.amount - r.refunded_amount)"
    " AS b, {sign} AS n FROM {rows} r JOIN agencies a ON a.id = r.agency_id"
    f" WHERE r.status IN {APPLIED} AND r.completed_at IS NOT NULL"
)
DUE_ROWS = (
    "SELECT agency_id, coalesce(due_date, DATE '0001-01-01') AS d, {sign} AS n, {sign} * current_balance AS b"
    " FROM {rows} WHERE status NOT IN ('settled', 'closed')"
)
DUE_UPSERT = """
INSERT INTO open_due_dates AS t (agency_id, due_date, accounts, balance)
SELECT agency_id, d, sum(n), sum(b) FROM ({rows}) x GROUP BY agency_id, d
HAVING sum(n) <> 0 OR sum(b) <> 0 ORDER BY agency_id, d
ON CONFLICT (agency_id, due_date) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
  balance = t.balance + EXCLUDED.balance"""
ACCOUNT_UPSERT = """
INSERT INTO account_totals AS t (agency_id, status, accounts, balance, placed)
SELECT agency_id, status, sum(n), sum(b), sum(p) FROM ({rows}) d GROUP BY agency_id, status
HAVING sum(n) <> 0 OR sum(b) <> 0 OR sum(p) <> 0 ORDER BY agency_id, status
ON CONFLICT (agency_id, status) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
  balance = t.balance + EXCLUDED.balance, placed = t.placed + EXCLUDED.placed"""
PAYMENT_UPSERT = """
INSERT INTO payment_days AS t (agency_id, day, net, payments)
SELECT agency_id, day, sum(b), sum(n) FROM ({rows}) d GROUP BY agency_id, day
HAVING sum(n) <> 0 OR sum(b) <> 0 ORDER BY agency_id, day
ON CONFLICT (agency_id, day) DO UPDATE SET net = t.net + EXCLUDED.net, payments = t.payments + EXCLUDED.payments"""
EVENTS = {"insert": ("new_rows",), "update": ("new_rows", "old_rows"), "delete": ("old_rows",)}
# (table, rollup): the rows one statement contributes, and how they are added in.
ROLLUPS = {
    ("accounts", "totals"): (ACCOUNT_ROWS, ACCOUNT_UPSERT),
    ("accounts", "due"): (DUE_ROWS, DUE_UPSERT),
    ("payments", "days"): (PAYMENT_ROWS, PAYMENT_UPSERT),
}


def _rows_sql(template: str, tables: tuple[str, ...]) -> str:
    parts = [template.format(rows=t, sign=1 if t == "new_rows" else -1) for t in tables]
    return " UNION ALL ".join(parts)


def _create_triggers() -> None:
    for (table, rollup), (rows, upsert) in ROLLUPS.items():
        for event, tables in EVENTS.items():
            name = f"{table}_{rollup}_{event}"
            body = upsert.format(rows=_rows_sql(rows, tables))
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$"
            )
            refs = " ".join(f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in tables)
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} REFERENCING {refs} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    for (table, _rollup), (rows, upsert) in ROLLUPS.items():  # backfill what is already there
        op.execute(upsert.format(rows=_rows_sql(rows, ("new_rows",)).replace("FROM new_rows", f"FROM {table}")))


def upgrade():
    with op.batch_alter_table("agencies") as batch:
        for name, length, default in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=default))
    op.create_index("ix_payments_agency_completed", "payments", ["agency_id", "completed_at"])
    op.create_index("ix_activities_agency_kind_created", "activities", ["agency_id", "kind", "created_at"])
    op.create_table(
        "account_totals",
        sa.Column(
            "agency_id",
            sa.Integer(),
            sa.ForeignKey("agencies.id", name="fk_account_totals_agency_id_agencies"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accounts", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.Numeric(16, 2), nullable=False),
        sa.Column("placed", sa.Numeric(16, 2), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "status", name="pk_account_totals"),
    )
    op.create_table(
        "payment_days",
        sa.Column(
            "agency_id",
            sa.Integer(),
            sa.ForeignKey("agencies.id", name="fk_payment_days_agency_id_agencies"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("net", sa.Numeric(16, 2), nullable=False),
        sa.Column("payments", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "day", name="pk_payment_days"),
    )
    op.create_table(
        "open_due_dates",
        sa.Column(
            "agency_id",
            sa.Integer(),
            sa.ForeignKey("agencies.id", name="fk_open_due_dates_agency_id_agencies"),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("accounts", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.Numeric(16, 2), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "due_date", name="pk_open_due_dates"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, rollup in ROLLUPS:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER {table}_{rollup}_{event} ON {table}")
                op.execute(f"DROP FUNCTION {table}_{rollup}_{event}()")
    op.drop_table("open_due_dates")
    op.drop_table("payment_days")
    op.drop_table("account_totals")
    op.drop_index("ix_activities_agency_kind_created", table_name="activities")
    op.drop_index("ix_payments_agency_completed", table_name="payments")
    with op.batch_alter_table("agencies") as batch:
        for name, _length, _default in reversed(COLUMNS):
            batch.drop_column(name)
