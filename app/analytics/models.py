"""Rollups behind the dashboard on PostgreSQL, kept exact by statement-level triggers (migration 0004).

Every write to ``accounts`` or ``payments`` (services, imports, demo, raw SQL) adjusts them in its own
transaction, so they are exact the moment it commits. SQLite computes the same figures live instead.
"""

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
