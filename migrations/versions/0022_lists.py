"""lists: accounts by (agency, debtor), for the account page's card of the debtor's other accounts

Revision ID: 0022_lists
Revises: 0021_bulk
Create Date: 2026-12-07 01:30:00

"""

from alembic import op

revision = "0022_lists"
down_revision = "0021_bulk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_agency_debtor", "accounts", ["agency_id", "debtor_id"])


def downgrade() -> None:
    op.drop_index("ix_accounts_agency_debtor", table_name="accounts")
