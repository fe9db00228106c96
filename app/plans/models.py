"""Promises to pay, payment plans and settlement offers, their instalments, and the creditors' settlement bounds."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.pg.indexes import partial_index
from app.timeutil import UTCDateTime, utcnow
from app.words import words

Money = Numeric(12, 2)
ZERO = Decimal("0.00")


class Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return words(self.value)


class PlanKind(Labelled):
    PROMISE = "promise"  # one amount on one date
    PLAN = "plan"  # instalments towards (part of) the balance
    SETTLEMENT = "settlement"  # the balance settled for less once the agreed amount is paid


class Frequency(Labelled):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class PlanState(Labelled):
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class InstalmentState(Labelled):
    SCHEDULED = "scheduled"
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    MISSED = "missed"


# Instalments still waiting for money: payments apply to them, the sweep may find them missed.
OPEN_INSTALMENT_STATES = (InstalmentState.SCHEDULED, InstalmentState.PARTLY_PAID)


class Plan(db.Model):
    """A promise, plan or settlement offer agreed on an account; ``total`` is what its instalments add up to."""

    __tablename__ = "plans"
    __table_args__ = (
        ForeignKeyConstraint(["agency_id", "account_id"], ["accounts.agency_id", "accounts.id"]),
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("waived_amount >= 0", name="waived_nonneg"),
        Index("ix_plans_account", "account_id", "id"),
        Index("ix_plans_agency_state", "agency_id", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column()
    kind: Mapped[PlanKind] = mapped_column(str_enum(PlanKind))
    state: Mapped[PlanState] = mapped_column(str_enum(PlanState), default=PlanState.ACTIVE)
    total: Mapped[Decimal] = mapped_column(Money)
    frequency: Mapped[Frequency | None] = mapped_column(str_enum(Frequency))
    # The account's balance when agreed: a settlement's discount is measured against it.
    balance_at_start: Mapped[Decimal] = mapped_column(Money)
    # What a settlement forgave when its agreed amount was paid (zero otherwise): the balance went to zero
    # without that money being collected, so recovery and remittance count only what was paid.
    waived_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # The saved card each instalment is charged to on its due date (autopay), if any.
    autopay_card_id: Mapped[int | None] = mapped_column(ForeignKey("saved_cards.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    autopay_card: Mapped["SavedCard | None"] = relationship()
    instalments: Mapped[list["Instalment"]] = relationship(
        back_populates="plan", order_by="Instalment.seq", cascade="all, delete-orphan"
    )

    @property
    def paid(self) -> Decimal:
        return sum((i.amount_paid for i in self.instalments), ZERO)

    @property
    def agreed_discount(self) -> Decimal:
        """What a settlement forgives if kept: the balance when agreed less the agreed total."""
        return self.balance_at_start - self.total if self.kind == PlanKind.SETTLEMENT else ZERO


class Instalment(db.Model):
    """One due date and amount of a plan; ``amount_paid`` is what payments have covered of it so far."""

    __tablename__ = "instalments"
    __table_args__ = (
        ForeignKeyConstraint(["plan_id"], ["plans.id"]),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("amount_paid >= 0 AND amount_paid <= amount", name="paid_range"),
        Index("ix_instalments_plan_seq", "plan_id", "seq", unique=True),
        # The sweep and the 30-day figure read open instalments by due date.
        partial_index("ix_instalments_open_due", "agency_id", "due_on", where=text("amount_paid < amount")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    plan_id: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column(SmallInteger)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    state: Mapped[InstalmentState] = mapped_column(str_enum(InstalmentState), default=InstalmentState.SCHEDULED)
    # Autopay: declined charges so far, and the day of the one retry after a decline.
    charge_attempts: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    retry_on: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[Plan] = relationship(back_populates="instalments")

    @property
    def due(self) -> Decimal:
        return self.amount - self.amount_paid


class Allocation(db.Model):
    """How much of a payment went to an instalment: what a refund of that payment takes back."""

    __tablename__ = "instalment_allocations"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_instalment_allocations_payment", "payment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    instalment_id: Mapped[int] = mapped_column(ForeignKey("instalments.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[Decimal] = mapped_column(Money)

    instalment: Mapped[Instalment] = relationship()


class SettlementBounds(db.Model):
    """A creditor's limits for settlement offers, set by the agency admin."""

    __tablename__ = "settlement_bounds"
    __table_args__ = (
        ForeignKeyConstraint(["agency_id", "creditor_id"], ["creditors.agency_id", "creditors.id"]),
        Index("ix_settlement_bounds_creditor", "agency_id", "creditor_id", unique=True),
        CheckConstraint("max_discount_percent >= 0 AND max_discount_percent <= 100", name="discount_range"),
        CheckConstraint("min_instalment >= 0", name="min_instalment_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    creditor_id: Mapped[int] = mapped_column()
    max_discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=ZERO)
    min_instalment: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SavedCard(db.Model):
    """A debtor's card saved at Stripe for autopay on one account: Stripe's ids and what to show, never the number."""

    __tablename__ = "saved_cards"
    __table_args__ = (Index("ix_saved_cards_account", "agency_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    customer_ref: Mapped[str] = mapped_column(String(255))
    payment_method_ref: Mapped[str] = mapped_column(String(255))
    setup_intent_ref: Mapped[str] = mapped_column(String(255), unique=True)
    label: Mapped[str] = mapped_column(String(60), default="card")  # "visa ending 4242" where Stripe says
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
