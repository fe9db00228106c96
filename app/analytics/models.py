"""Rollups behind the dashboard on PostgreSQL, kept exact by statement-level triggers (``app/pg/sql/``).

Every write to ``accounts`` or ``payments`` (services, imports, demo, raw SQL) adjusts them in its own
transaction, so they are exact the moment it commits. SQLite computes the same figures live instead.
"""

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

Total = Numeric(16, 2)


class AccountTotal(db.Model):
    """Per agency and status: how many accounts, their current balances and their original amounts."""

    __tablename__ = "account_totals"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    accounts: Mapped[int] = mapped_column(BigInteger, default=0)
    balance: Mapped[Decimal] = mapped_column(Total, default=Decimal("0"))
    placed: Mapped[Decimal] = mapped_column(Total, default=Decimal("0"))


class PaymentDay(db.Model):
    """Per agency and local day of completion (agency timezone): net collected and number of applied payments."""

    __tablename__ = "payment_days"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    net: Mapped[Decimal] = mapped_column(Total, default=Decimal("0"))
    payments: Mapped[int] = mapped_column(BigInteger, default=0)


class OpenDueDate(db.Model):
    """Per agency and due date, active (not settled or closed) accounts and their balances: the aging report.

    Accounts without a due date are kept under ``aging.NO_DUE_DATE`` (0001-01-01), as a key cannot be NULL.
    """

    __tablename__ = "open_due_dates"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    accounts: Mapped[int] = mapped_column(BigInteger, default=0)
    balance: Mapped[Decimal] = mapped_column(Total, default=Decimal("0"))


# Collector performance (migration 0006). Days are the agency's local days, like ``payment_days``.
NO_EARLIER_DAY = date(1, 1, 1)  # ``prev_day`` of a first event: before any period
NEVER = date(9999, 12, 31)  # ``done_day`` of an assignment never followed by a payment
Seconds = Numeric(20, 6)


class FactKind(enum.StrEnum):
    """The kinds of ``collector_account_days`` (see ``CollectorAccountDay``)."""

    NOTE = "note"
    PAID = "paid"
    ASSIGNED = "assigned"
    SETTLED = "settled"


class CollectorAccountDay(db.Model):
    """One row per (account, kind, collector, local day) with at least one event of that kind: the facts.

    Kinds: ``note`` (a note by the collector), ``paid`` (a payment credited to them, not fully refunded),
    ``assigned`` (an assignment to them; ``at`` its first time that day, ``done_day`` and ``seconds``: the first
    such payment after it) and ``settled`` (a move to settled, credited to the account's collector now).
    ``prev_day`` is the previous day of the same account, kind and collector. No foreign keys: derived data,
    rebuilt by ``collector_facts_refresh`` (trigger-kept on PostgreSQL, unused on SQLite).
    """

    __tablename__ = "collector_account_days"

    account_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    collector_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    prev_day: Mapped[date] = mapped_column(Date)
    done_day: Mapped[date] = mapped_column(Date)
    seconds: Mapped[Decimal] = mapped_column(Seconds)


class CollectorDayCount(db.Model):
    """``collector_account_days`` counted per (agency, day, collector, kind, prev_day, done_day): what periods read.

    Accounts of a collector with an event in days L..H = the rows of those days whose ``prev_day`` is before L.
    """

    __tablename__ = "collector_day_counts"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    collector_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    prev_day: Mapped[date] = mapped_column(Date, primary_key=True)
    done_day: Mapped[date] = mapped_column(Date, primary_key=True)
    accounts: Mapped[int] = mapped_column(BigInteger)
    seconds: Mapped[Decimal] = mapped_column(Seconds)


class CollectorPaymentDay(db.Model):
    """Per agency, local day and collector: net collected and net commission of the payments credited to them."""

    __tablename__ = "collector_payment_days"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    collector_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    net: Mapped[Decimal] = mapped_column(Total)
    commission: Mapped[Decimal] = mapped_column(Total)
