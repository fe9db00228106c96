"""import job rq id: the RQ job last enqueued to run an import, so a sweep can find the jobs nobody will run

Revision ID: 0018_import_job_rq_id
Revises: 0017_secrets_at_rest
Create Date: 2026-12-04 20:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_import_job_rq_id"
down_revision = "0017_secrets_at_rest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_jobs", sa.Column("rq_job_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_jobs") as batch:
        batch.drop_column("rq_job_id")
