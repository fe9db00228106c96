"""worklist indexes: drop the five (agency_id, sort column, …) indexes

An admin's list without a status or collector filter is now one walk per status over the (agency_id, status,
sort column, …) indexes, merged in sort order (app/accounts/worklist.py), so the agency-wide ones only cost
every insert and update. See docs/performance.md.

Revision ID: 0007_worklist_indexes
Revises: 0006_collector_rollups
Create Date: 2026-11-28 02:00:00

"""

from alembic import op

revision = "0007_worklist_indexes"
down_revision = "0006_collector_rollups"
branch_labels = None
depends_on = None

SORT_COLUMNS = ("priority", "current_balance", "due_date", "last_contact_at", "created_at")
ENTRY_FILTERS = ("priority", "current_balance", "due_date")


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for column in SORT_COLUMNS:
            batch_op.drop_index(f"ix_accounts_agency_{column}")


def downgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for column in SORT_COLUMNS:
            trailing = [c for c in ENTRY_FILTERS if c != column]
            batch_op.create_index(f"ix_accounts_agency_{column}", ["agency_id", column, "id", *trailing], unique=False)
