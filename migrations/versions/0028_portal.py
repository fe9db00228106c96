"""portal: the debtor self-service portal's links, lockouts, sessions and settings; debtors' date of birth;
payments started in the portal, with row-level security on each new table

Revision ID: 0028_portal
Revises: 0027_compliance
Create Date: 2026-12-07 04:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

import app.timeutil
from app.pg import rls

TABLES = dict.fromkeys(("portal_links", "portal_lockouts", "portal_sessions", "portal_settings"), "agency_id")

# revision identifiers, used by Alembic.
revision = "0028_portal"
down_revision = "0027_compliance"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, app.timeutil.UTCDateTime(timezone=True), nullable=nullable)


def _agency(table: str) -> list:
    name = op.f(f"fk_{table}_agency_id_agencies")
    return [
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=name),
    ]


def upgrade():
    op.create_table(
        "portal_links",
        sa.Column("id", sa.Integer(), nullable=False),
        *_agency("portal_links"),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        _when("expires_at"),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_portal_links_account_id_accounts")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_portal_links_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_links")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_portal_links_token_digest")),
    )
    op.create_index(op.f("ix_portal_links_agency_id"), "portal_links", ["agency_id"])
    op.create_index(op.f("ix_portal_links_account_id"), "portal_links", ["account_id"])
    op.create_table(
        "portal_lockouts",
        *_agency("portal_lockouts"),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("window_start"),
        _when("locked_until", nullable=True),
        sa.PrimaryKeyConstraint("agency_id", "reference", name=op.f("pk_portal_lockouts")),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        *_agency("portal_sessions"),
        sa.Column("debtor_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        _when("created_at"),
        _when("last_seen_at"),
        _when("ended_at", nullable=True),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtors.id"], name=op.f("fk_portal_sessions_debtor_id_debtors")),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_portal_sessions")),
    )
    op.create_index(op.f("ix_portal_sessions_agency_id"), "portal_sessions", ["agency_id"])
    op.create_index(op.f("ix_portal_sessions_debtor_id"), "portal_sessions", ["debtor_id"])
    op.create_table(
        "portal_settings",
        *_agency("portal_settings"),
        sa.Column("min_payment", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("brand_color", sa.String(length=7), nullable=True),
        sa.Column("accent_color", sa.String(length=7), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=20), nullable=True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_portal_settings")),
    )
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via_portal", sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        rls.install(op.get_bind(), TABLES)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        rls.drop_policies(op.get_bind(), TABLES)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("via_portal")
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.drop_column("date_of_birth")
    op.drop_table("portal_settings")
    op.drop_index(op.f("ix_portal_sessions_debtor_id"), table_name="portal_sessions")
    op.drop_index(op.f("ix_portal_sessions_agency_id"), table_name="portal_sessions")
    op.drop_table("portal_sessions")
    op.drop_table("portal_lockouts")
    op.drop_index(op.f("ix_portal_links_account_id"), table_name="portal_links")
    op.drop_index(op.f("ix_portal_links_agency_id"), table_name="portal_links")
    op.drop_table("portal_links")
