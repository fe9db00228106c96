"""secrets at rest: pay-link tokens hashed, encrypted fields bound to their rows, the audit chain keyed

* ``payments.pay_token`` held the pay link's token; it now holds its SHA-256 digest (hashed here in place). The
  old links keep working (the pay page looks them up by digest), but staff can no longer see them again: only
  links issued from now on are computed again for display.
* Encrypted columns held Fernet values, which any row would accept; they are re-encrypted here with AES-GCM bound
  to table, column and row id, under the first of the configured ``DEBTFLOW_ENCRYPTION_KEYS`` (which the
  upgrade therefore needs). A value no configured key reads is left as it is and shows as "unreadable".
* ``audit_legacy_boundaries`` records, per existing chain, its newest event: events up to it keep their SHA-256
  hashes, every later one carries an HMAC under ``DEBTFLOW_AUDIT_KEY``; each boundary is MAC'd with that key.

Revision ID: 0017_secrets_at_rest
Revises: 0015_login_security
Create Date: 2026-12-04 20:10:00

"""

import sqlalchemy as sa
from alembic import op

from app import crypto
from app.audit.services import legacy_mark

revision = "0017_secrets_at_rest"
down_revision = "0015_login_security"
branch_labels = None
depends_on = None

# Named here, not taken from the models: this is what existed when the migration was written.
ENCRYPTED = (
    ("debtors", "ssn_last4_encrypted"),
    ("import_sources", "password_encrypted"),
    ("import_sources", "private_key_encrypted"),
)



def upgrade():
    _hash_pay_tokens()
    for table_name, column_name in ENCRYPTED:
        crypto.reencrypt_column(op.get_bind(), table_name, column_name, _bind_legacy)
    op.create_table(
        "audit_legacy_boundaries",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("last_legacy_event_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_audit_legacy_boundaries_agency_id_agencies")),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_audit_legacy_boundaries")),
    )
    _mark_legacy_boundaries()


def downgrade():
    """Columns and values back to Fernet; pay-link digests cannot be turned back into tokens (links issued before
    the downgrade stop working: create new ones)."""
    op.drop_table("audit_legacy_boundaries")
    for table_name, column_name in ENCRYPTED:
        crypto.reencrypt_column(op.get_bind(), table_name, column_name, _to_fernet)


def _hash_pay_tokens() -> None:
    payments = sa.table("payments", sa.column("id"), sa.column("pay_token"))
    rows = op.get_bind().execute(sa.select(payments.c.id, payments.c.pay_token).where(payments.c.pay_token.is_not(None)))
    digests = [{"row_id": row_id, "digest": crypto.token_digest(token)} for row_id, token in rows]
    if digests:
        update = payments.update().where(payments.c.id == sa.bindparam("row_id"))
        op.get_bind().execute(update.values(pay_token=sa.bindparam("digest")), digests)


def _bind_legacy(token: str, aad: bytes) -> str:
    return crypto.encrypt(crypto.decrypt_legacy(token), aad) if crypto.is_legacy(token) else token


def _to_fernet(token: str, aad: bytes) -> str:
    from cryptography.fernet import Fernet
    from flask import current_app

    if crypto.is_legacy(token):
        return token
    return Fernet(current_app.config["ENCRYPTION_KEYS"][0].encode()).encrypt(crypto.decrypt(token, aad).encode()).decode()


def _mark_legacy_boundaries() -> None:
    """One boundary per chain that has events: its newest event so far is the last legacy one."""
    heads = sa.table("audit_chain_heads", sa.column("agency_id"), sa.column("last_event_id"))
    boundaries = sa.table("audit_legacy_boundaries", sa.column("agency_id"), sa.column("last_legacy_event_id"),
                          sa.column("mark"))  # fmt: skip
    chains = op.get_bind().execute(sa.select(heads.c.agency_id, heads.c.last_event_id).where(heads.c.last_event_id.is_not(None)))
    rows = [
        {"agency_id": agency_id, "last_legacy_event_id": last_id, "mark": legacy_mark(agency_id, last_id)}
        for agency_id, last_id in chains
    ]
    if rows:
        op.get_bind().execute(boundaries.insert(), rows)
