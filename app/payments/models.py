"""Payments, their refunds, and the Stripe events already handled."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import crypto
from app.accounts.models import Account
from app.accounts.states import Status
from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow
from app.words import words

Money = Numeric(12, 2)
CENT = Decimal("0.01")


class PaymentMethod(enum.StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    CHECK = "check"
    CASH = "cash"

    @property
    def label(self) -> str:
        return words(self.value)


MANUAL_METHODS = (PaymentMethod.CHECK, PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER)


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return words(self.value)


# Statuses whose amount has been applied to the balance (a refund gives part or all of it back).
APPLIED_STATUSES = (PaymentStatus.COMPLETED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


class Payment(db.Model):
    """One payment towards an account: recorded by hand, or a card payment through Stripe."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("agency_id", "idempotency_key"),
        UniqueConstraint("processor_ref"),
        UniqueConstraint("pay_token"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="refund_range"),
        Index("ix_payments_agency_created", "agency_id", "created_at", "id"),
        Index("ix_payments_account_created", "account_id", "created_at"),
        Index("ix_payments_status_created", "status", "created_at"),
        Index("ix_payments_collector_status", "collector_id", "status"),
        Index("ix_payments_agency_completed", "agency_id", "completed_at"),  # analytics periods
        Index("ix_payments_account_collector_completed", "account_id", "collector_id", "completed_at"),  # first pay
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod))
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus), default=PaymentStatus.PENDING)
    reference: Mapped[str] = mapped_column(String(120), default="")
    received_on: Mapped[date | None] = mapped_column(Date)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    processor_ref: Mapped[str | None] = mapped_column(String(255))
    failure_reason: Mapped[str] = mapped_column(Text, default="")
    refunded_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    collector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commission_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0"))
    commission_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    commission_reversed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # The open status this payment's completion settled the account from (a refund restores it).
    settled_from: Mapped[Status | None] = mapped_column(str_enum(Status))
    # The SHA-256 digest of the pay link's token (crypto.token_digest), never the token itself.
    pay_token: Mapped[str | None] = mapped_column(String(64))
    pay_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Started by the debtor in the self-service portal (the timeline says so when it completes)
    via_portal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship()
    collector: Mapped[User | None] = relationship(foreign_keys=[collector_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def refundable(self) -> Decimal:
        """What may still be refunded: the amount less earlier refunds, for an applied payment."""
        return self.amount - self.refunded_amount if self.status in APPLIED_STATUSES else Decimal("0.00")

    @property
    def net_commission(self) -> Decimal:
        return self.commission_amount - self.commission_reversed

    @property
    def pay_link_token(self) -> str | None:
        """The pay link's token, computed again from the intent id; None without a link, and for a link issued
        before tokens were derived (the migration kept only its digest)."""
        if not self.pay_token or not self.processor_ref:
            return None
        token = pay_link_token(self.processor_ref)
        return token if crypto.token_digest(token) == self.pay_token else None


def pay_link_token(processor_ref: str) -> str:
    """A pay link's token: unguessable without SECRET_KEY, and only its digest is stored."""
    return crypto.derived_token("pay-link", processor_ref)


class Refund(db.Model):
    """Money given back on a payment, in full or in part."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("processor_ref"),
        UniqueConstraint("agency_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    commission_reversed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    reason: Mapped[str] = mapped_column(Text, default="")
    processor_ref: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(backref=db.backref("refunds", order_by="Refund.id"))
    actor: Mapped[User | None] = relationship()


class StripeEvent(db.Model):
    """A Stripe webhook event already handled; its id is stored once so replays change nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    # The agency of the payment it concerned (none for events about unknown intents); lets a demo reset clear it.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
