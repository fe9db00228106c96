"""tenant keys: an account's debtor and creditor, and a timeline entry's account, are of the same agency

Composite foreign keys replace the single-column ones: accounts (agency_id, debtor_id) -> debtors (agency_id, id),
accounts (agency_id, creditor_id) -> creditors (agency_id, id), activities (agency_id, account_id) -> accounts
(agency_id, id). Each also proves the agency exists (debtors.agency_id references agencies), so the accounts'
and activities' keys to agencies go: the database now refuses a cross-agency link, and an import checks four
keys per new account instead of six. See docs/decisions.md ("Tenancy in the schema").

Revision ID: 0009_tenant_keys
Revises: 0008_import_write_cost
Create Date: 2026-11-28 04:05:00

"""

from alembic import op

revision = "0009_tenant_keys"
down_revision = "0008_import_write_cost"
branch_labels = None
depends_on = None

# (table, old single-column keys as (column, referred table), new composite keys as (columns, referred table))
KEYS = (
    ("accounts", (("agency_id", "agencies"), ("debtor_id", "debtors"), ("creditor_id", "creditors")),
     ((("agency_id", "debtor_id"), "debtors"), (("agency_id", "creditor_id"), "creditors"))),
    ("activities", (("agency_id", "agencies"), ("account_id", "accounts")),
     ((("agency_id", "account_id"), "accounts"),)),
)  # fmt: skip


def upgrade():
    for table in ("creditors", "debtors", "accounts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(f"uq_{table}_agency_id_id", ["agency_id", "id"])
    for table, old, new in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, referred in old:
                batch_op.drop_constraint(f"fk_{table}_{column}_{referred}", type_="foreignkey")
            for columns, referred in new:
                name = f"fk_{table}_{columns[0]}_{referred}"
                batch_op.create_foreign_key(name, referred, list(columns), ["agency_id", "id"])


def downgrade():
    for table, old, new in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for columns, referred in new:
                batch_op.drop_constraint(f"fk_{table}_{columns[0]}_{referred}", type_="foreignkey")
            for column, referred in old:
                batch_op.create_foreign_key(f"fk_{table}_{column}_{referred}", referred, [column], ["id"])
    for table in ("accounts", "debtors", "creditors"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_agency_id_id", type_="unique")
