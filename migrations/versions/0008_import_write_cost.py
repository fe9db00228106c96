"""import write cost: fewer index entries per imported account, debtor and timeline entry

* the five collector worklist indexes leave out unassigned ``new`` accounts (what an import creates), which
  the status indexes serve;
* accounts.debtor_id / accounts.creditor_id and debtors.agency_id / activities.agency_id lose their indexes
  (nothing reads by them; activities by agency go through (agency_id, kind, created_at));
* debtors' unique (agency_id, debtor_ref) and activities.actor_id index only the rows that have a value.

See docs/performance.md ("Imports").

Revision ID: 0008_import_write_cost
Revises: 0007_worklist_indexes
Create Date: 2026-11-28 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_import_write_cost"
down_revision = "0007_worklist_indexes"
branch_labels = None
depends_on = None

SORT_COLUMNS = ("priority", "current_balance", "due_date", "last_contact_at", "created_at")
ENTRY_FILTERS = ("priority", "current_balance", "due_date")
PLACED = "assigned_collector_id IS NOT NULL OR status <> 'new'"


def _partial(condition: str | None) -> dict:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)} if condition else {}


def _collector_indexes(batch_op, condition: str | None) -> None:
    for column in SORT_COLUMNS:
        name = f"ix_accounts_collector_{column}"
        trailing = [c for c in ("status", *ENTRY_FILTERS) if c != column]
        batch_op.drop_index(name)
        columns = ["assigned_collector_id", "agency_id", column, "id", *trailing]
        batch_op.create_index(name, columns, unique=False, **_partial(condition))


def _swap(table: str, name: str, columns: list[str], unique: bool, condition: str | None) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(name)
        batch_op.create_index(name, columns, unique=unique, **_partial(condition))


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_debtor_id")
        batch_op.drop_index("ix_accounts_creditor_id")
        _collector_indexes(batch_op, PLACED)
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.drop_index("ix_debtors_agency_id")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_agency_id")
    _swap("debtors", "uq_debtors_agency_ref", ["agency_id", "debtor_ref"], True, "debtor_ref IS NOT NULL")
    _swap("activities", "ix_activities_actor_id", ["actor_id"], False, "actor_id IS NOT NULL")


def downgrade():
    _swap("activities", "ix_activities_actor_id", ["actor_id"], False, None)
    _swap("debtors", "uq_debtors_agency_ref", ["agency_id", "debtor_ref"], True, None)
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_agency_id", ["agency_id"], unique=False)
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.create_index("ix_debtors_agency_id", ["agency_id"], unique=False)
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        _collector_indexes(batch_op, None)
        batch_op.create_index("ix_accounts_creditor_id", ["creditor_id"], unique=False)
        batch_op.create_index("ix_accounts_debtor_id", ["debtor_id"], unique=False)
