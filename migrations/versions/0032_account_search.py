"""account search: the search box's trigram index moves from accounts to its own table, account_search, kept by
triggers (app/pg/sql/account_search.sql), so that a refresh file's balance updates no longer rewrite trigram
entries; row-level security and the worklist reader on the new table. PostgreSQL only: SQLite has no trigram
index and searches accounts.search_text itself.

Revision ID: 0032_account_search
Revises: 0031_reminders
Create Date: 2026-12-07 11:15:00

"""

import sqlalchemy as sa
from alembic import op

from app.pg import rls, triggers

revision = "0032_account_search"
down_revision = "0031_reminders"
branch_labels = None
depends_on = None

# What ``triggers.install`` ran when this migration was written (tests/pg/test_triggers.py).
TRIGGERS_FINGERPRINT = "0de3c53b46a37005af9fdc510cad2e76557d2a07c40a8ae3360c80b222c26719"
TABLES = {"account_search": "agency_id"}
TRIGRAM = dict(postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"})
FUNCTIONS = ("account_search_insert", "account_search_update", "account_search_delete")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.create_table(
        "account_search",
        sa.Column("account_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("assigned_collector_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_search")),
        postgresql_with={"parallel_workers": 0},
    )
    op.execute(
        "INSERT INTO account_search (account_id, agency_id, search_text, assigned_collector_id) "
        "SELECT id, agency_id, search_text, assigned_collector_id FROM accounts"
    )
    op.create_index("ix_account_search_trgm", "account_search", ["search_text"], **TRIGRAM)
    op.drop_index("ix_accounts_search_trgm", table_name="accounts", **TRIGRAM)
    triggers.install(bind)
    rls.install(bind, TABLES)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name in FUNCTIONS:  # each trigger goes with its function
        op.execute(f"DROP FUNCTION {name}() CASCADE")
    op.create_index("ix_accounts_search_trgm", "accounts", ["search_text"], **TRIGRAM)
    rls.drop_policies(bind, TABLES)
    op.drop_table("account_search")
