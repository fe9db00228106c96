"""import write cost: fewer index entries per imported account, debtor and timeline entry

* the five collector worklist indexes hold assigned accounts only, and five new ``ix_accounts_unassigned_*``
  indexes the unassigned accounts that are not ``new``; the status indexes serve the unassigned ``new`` ones
  (what an import creates), so an imported account writes 5 fewer index entries;
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
ASSIGNED = "assigned_collector_id IS NOT NULL"
UNASSIGNED_PLACED = "assigned_collector_id IS NULL AND status <> 'new'"


def _partial(condition: str | None) -> dict:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)} if condition else {}


def _sort_index(batch_op, scope: str, leading: list[str], column: str, condition: str | None) -> None:
    trailing = [c for c in ("status", *ENTRY_FILTERS) if c != column]
    columns = [*leading, column, "id", *trailing]
    batch_op.create_index(f"ix_accounts_{scope}_{column}", columns, unique=False, **_partial(condition))


def _collector_indexes(batch_op, condition: str | None) -> None:
    for column in SORT_COLUMNS:
        batch_op.drop_index(f"ix_accounts_collector_{column}")
        _sort_index(batch_op, "collector", ["assigned_collector_id", "agency_id"], column, condition)


def _swap(table: str, name: str, columns: list[str], unique: bool, condition: str | None) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(name)
        batch_op.create_index(name, columns, unique=unique, **_partial(condition))


def upgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_debtor_id")
        batch_op.drop_index("ix_accounts_creditor_id")
        _collector_indexes(batch_op, ASSIGNED)
        for column in SORT_COLUMNS:
            _sort_index(batch_op, "unassigned", ["agency_id"], column, UNASSIGNED_PLACED)
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
        for column in SORT_COLUMNS:
            batch_op.drop_index(f"ix_accounts_unassigned_{column}")
        _collector_indexes(batch_op, None)
        batch_op.create_index("ix_accounts_creditor_id", ["creditor_id"], unique=False)
        batch_op.create_index("ix_accounts_debtor_id", ["debtor_id"], unique=False)
