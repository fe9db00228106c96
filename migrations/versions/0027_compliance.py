"""compliance: the contact log, debtors' phones and emails, consumer requests, state rules, documents,
itemizations and validation notices (Regulation F), with row-level security on each

Revision ID: 0027_compliance
Revises: 0026_rls_tables
Create Date: 2026-12-07 04:18:51.270148

"""

import sqlalchemy as sa
from alembic import op

import app.timeutil
from app.pg import rls

TABLES = dict.fromkeys(
    (
        "contact_attempts",
        "contact_points",
        "inconvenient_times",
        "documents",
        "consumer_requests",
        "state_rules",
        "itemizations",
        "validation_notices",
    ),
    "agency_id",
)


# revision identifiers, used by Alembic.
revision = "0027_compliance"
down_revision = "0026_rls_tables"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "state_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("channels", sa.String(length=60), nullable=False),
        sa.Column("point_kinds", sa.String(length=60), nullable=False),
        sa.Column("max_count", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("citation", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_state_rules_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_rules")),
    )
    with op.batch_alter_table("state_rules", schema=None) as batch_op:
        batch_op.create_index("ix_state_rules_agency_state", ["agency_id", "state"], unique=False)

    op.create_table(
        "contact_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("debtor_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("home", "cell", "work", "other", name="pointkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("consent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("opted_out_at", app.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("do_not_use", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("do_not_use_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('phone', 'email')", name=op.f("ck_contact_points_point_channel")),
        sa.ForeignKeyConstraint(
            ["agency_id", "debtor_id"],
            ["debtors.agency_id", "debtors.id"],
            name=op.f("fk_contact_points_agency_id_debtors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_points")),
        sa.UniqueConstraint(
            "agency_id",
            "debtor_id",
            "channel",
            "value",
            name=op.f("uq_contact_points_agency_id_debtor_id_channel_value"),
        ),
    )
    op.create_table(
        "inconvenient_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("debtor_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts < ends", name=op.f("ck_inconvenient_times_span_order")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_inconvenient_times_weekday_range")),
        sa.ForeignKeyConstraint(
            ["agency_id", "debtor_id"],
            ["debtors.agency_id", "debtors.id"],
            name=op.f("fk_inconvenient_times_agency_id_debtors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inconvenient_times")),
    )
    with op.batch_alter_table("inconvenient_times", schema=None) as batch_op:
        batch_op.create_index("ix_inconvenient_times_debtor", ["debtor_id"], unique=False)

    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("call", "sms", "email", "letter", "in_person", name="channel", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "direction", sa.Enum("outbound", "inbound", name="direction", native_enum=False, length=20), nullable=False
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "no_answer",
                "busy",
                "voicemail",
                "limited_content",
                "right_party",
                "third_party",
                "wrong_number",
                "refused_to_pay",
                "promise_to_pay",
                "dispute",
                "cease_request",
                name="outcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"],
            ["accounts.agency_id", "accounts.id"],
            name=op.f("fk_contact_attempts_agency_id_accounts"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_contact_attempts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempts")),
    )
    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_contact_attempts_account_at", ["account_id", "at"], unique=False)
        batch_op.create_index("ix_contact_attempts_agency_at", ["agency_id", "at"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"],
            ["accounts.agency_id", "accounts.id"],
            name=op.f("fk_documents_agency_id_accounts"),
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_documents_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_account", ["account_id"], unique=False)

    op.create_table(
        "itemizations",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "reference",
            sa.Enum(
                "last_statement",
                "charge_off",
                "last_payment",
                "transaction",
                "judgment",
                name="referencedate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("itemization_date", sa.Date(), nullable=False),
        sa.Column("amount_on_date", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("interest", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("fees", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("payments_credits", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("creditor_on_date", sa.String(length=200), nullable=False),
        sa.Column("original_creditor", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"],
            ["accounts.agency_id", "accounts.id"],
            name=op.f("fk_itemizations_agency_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_itemizations")),
    )
    op.create_table(
        "consumer_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "dispute",
                "original_creditor",
                "cease",
                "attorney",
                "bankruptcy",
                "deceased",
                name="requestkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "phone", "letter", "email", "portal", "in_person", name="requestchannel", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("written", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("disputed_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("within_period", sa.Boolean(), nullable=True),
        sa.Column("duplicative", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("hold", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", app.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution_document_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"],
            ["accounts.agency_id", "accounts.id"],
            name=op.f("fk_consumer_requests_agency_id_accounts"),
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_consumer_requests_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_consumer_requests_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["resolution_document_id"],
            ["documents.id"],
            name=op.f("fk_consumer_requests_resolution_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumer_requests")),
    )
    with op.batch_alter_table("consumer_requests", schema=None) as batch_op:
        batch_op.create_index("ix_consumer_requests_agency_kind", ["agency_id", "kind", "received_on"], unique=False)
        batch_op.create_index(
            "ix_consumer_requests_open",
            ["account_id", "kind"],
            unique=False,
            postgresql_where=sa.text("resolved_at IS NULL"),
            sqlite_where=sa.text("resolved_at IS NULL"),
        )

    op.create_table(
        "validation_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("period_ends", sa.Date(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id", "account_id"],
            ["accounts.agency_id", "accounts.id"],
            name=op.f("fk_validation_notices_agency_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_validation_notices_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_validation_notices_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_notices")),
    )
    with op.batch_alter_table("validation_notices", schema=None) as batch_op:
        batch_op.create_index("ix_validation_notices_account", ["account_id"], unique=False)

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compliance_settings", sa.JSON(), nullable=True))

    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("no_calls_at_work", sa.Boolean(), server_default=sa.false(), nullable=False))

    if op.get_bind().dialect.name == "postgresql":
        rls.install(op.get_bind(), TABLES)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        rls.drop_policies(op.get_bind(), TABLES)
    with op.batch_alter_table("debtors", schema=None) as batch_op:
        batch_op.drop_column("no_calls_at_work")

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("compliance_settings")

    with op.batch_alter_table("validation_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_validation_notices_account")

    op.drop_table("validation_notices")
    with op.batch_alter_table("consumer_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_consumer_requests_open",
            postgresql_where=sa.text("resolved_at IS NULL"),
            sqlite_where=sa.text("resolved_at IS NULL"),
        )
        batch_op.drop_index("ix_consumer_requests_agency_kind")

    op.drop_table("consumer_requests")
    op.drop_table("itemizations")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_account")

    op.drop_table("documents")
    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_attempts_agency_at")
        batch_op.drop_index("ix_contact_attempts_account_at")

    op.drop_table("contact_attempts")
    with op.batch_alter_table("inconvenient_times", schema=None) as batch_op:
        batch_op.drop_index("ix_inconvenient_times_debtor")

    op.drop_table("inconvenient_times")
    op.drop_table("contact_points")
    with op.batch_alter_table("state_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_state_rules_agency_state")

    op.drop_table("state_rules")
