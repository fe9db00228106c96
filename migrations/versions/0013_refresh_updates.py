"""refresh updates: free space on the pages of accounts and debtors, for the rows a refresh file rewrites

A creditor's monthly refresh file changes every amount: each account gets a new row version. With full pages
that version goes to another page (a page more to write, and to log, per row), and a debtor whose phone or
address changed cannot be updated in place either. A lower fillfactor leaves room on each page, so a new
version can stay beside the old one; for debtors, whose updated columns are in no index, the update is then
HOT (no index entry written at all). It applies to pages written from now on; existing pages keep their
layout until the table is rewritten (VACUUM FULL, CLUSTER or pg_repack, in a maintenance window).
PostgreSQL only: SQLite has no such setting.

Revision ID: 0013_refresh_updates
Revises: 0012_trigger_sql
Create Date: 2026-12-03 14:40:00

"""

from alembic import op

revision = "0013_refresh_updates"
down_revision = "0012_trigger_sql"
branch_labels = None
depends_on = None

FILLFACTOR = {"accounts": 80, "debtors": 90}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, percent in FILLFACTOR.items():
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FILLFACTOR:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
