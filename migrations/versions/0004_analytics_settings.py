"""analytics and settings: the agency's postal address

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


def upgrade():
    with op.batch_alter_table("agencies") as batch:
        for name, length, default in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=default))


def downgrade():
    with op.batch_alter_table("agencies") as batch:
        for name, _length, _default in reversed(COLUMNS):
            batch.drop_column(name)
