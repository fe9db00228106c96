"""import batches (committed line ranges of a job, for parallel writers) and account import fingerprints

Revision ID: 0005_import_batches
Revises: 0004_analytics_settings
"""

import sqlalchemy as sa
from alembic import op


revision = "0005_import_batches"
down_revision = "0004_analytics_settings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_batches",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("first_line", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_line", sa.Integer(), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_jobs.id"], name="fk_import_batches_job_id_import_jobs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "first_line", name="pk_import_batches"),
    )
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("import_fingerprint", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("import_fingerprint")
    op.drop_table("import_batches")
