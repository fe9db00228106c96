"""The debtor portal's records: links staff send, sign-in lockouts per reference, portal sessions, branding."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.payments.models import Money
from app.timeutil import UTCDateTime, utcnow

MIN_PAYMENT_DEFAULT = Decimal("5.00")


class PortalLink(db.Model):
    """A sign-in link for one account's debtor, put in a letter or an email. Only the token's digest is stored;
    the token itself is derived again from the id (``crypto.derived_token``) so staff can copy it later."""

    __tablename__ = "portal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PortalLockout(db.Model):
    """Failed sign-ins on one account reference of one agency in the current window, and the lock they led to.
    Keyed by the reference as typed (normalised), whether or not an account has it, so a lock says nothing about
    which references exist."""

    __tablename__ = "portal_lockouts"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PortalSession(db.Model):
    """A debtor's signed-in visit: one debtor at one agency, ended by sign-out or by idleness."""

    __tablename__ = "portal_sessions"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))  # "link" or "facts": how the debtor proved who they are
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PortalSettings(db.Model):
    """An agency's portal settings: the smallest payment it takes, its colours and logo. No row: the defaults."""

    __tablename__ = "portal_settings"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    min_payment: Mapped[Decimal] = mapped_column(Money, default=MIN_PAYMENT_DEFAULT)
    brand_color: Mapped[str | None] = mapped_column(String(7))  # "#rrggbb", validated by the service
    accent_color: Mapped[str | None] = mapped_column(String(7))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
