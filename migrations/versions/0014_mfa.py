"""mfa: TOTP secrets and recovery codes, the agency's "MFA required" flag, temporary passwords

Existing agencies get MFA required (the secure default; the demo seed turns it off for its two agencies when it
builds them); existing users keep their passwords, which are not temporary.

Revision ID: 0014_mfa
Revises: 0013_refresh_updates
Create Date: 2026-12-04 20:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_mfa"
down_revision = "0013_refresh_updates"
branch_labels = None
depends_on = None


def user_columns() -> tuple[sa.Column, ...]:
    """New each call: a Column belongs to the first table it is added to."""
    return (
        sa.Column("password_must_change", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("mfa_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("mfa_enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mfa_last_step", sa.BigInteger(), nullable=True),
    )


def upgrade():
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mfa_required", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in user_columns():
            batch_op.add_column(column)
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_recovery_codes_agency_id_agencies")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in reversed(user_columns()):
            batch_op.drop_column(column.name)
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("mfa_required")
