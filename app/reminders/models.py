"""A reminder email owed to a debtor: what it is about, whether it went, and why not when it did not."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.dbtypes import str_enum
from app.extensions import db
from app.pg.indexes import partial_index
from app.timeutil import UTCDateTime, utcnow


class ReminderKind(enum.StrEnum):
    BEFORE_DUE = "before_due"  # a few days before an instalment
    CHARGE_DECLINED = "charge_declined"  # an autopay charge declined, retried later
    PLAN_BROKEN = "plan_broken"


class ReminderState(enum.StrEnum):
    PENDING = "pending"  # to send at ``try_at``
    SENT = "sent"
    SKIPPED = "skipped"  # never to be sent: the guard refused for good, no address, or nothing due any more


class Reminder(db.Model):
    """One email per (agency, ``key``): the key names what it is about, so nothing is reminded twice."""

    __tablename__ = "reminders"
    __table_args__ = (
        ForeignKeyConstraint(["agency_id", "account_id"], ["accounts.agency_id", "accounts.id"]),
        Index("ix_reminders_key", "agency_id", "key", unique=True),
        Index("ix_reminders_account", "account_id", "id"),
        # The dispatcher reads the pending ones whose time has come.
        partial_index("ix_reminders_pending", "try_at", where=text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    account_id: Mapped[int] = mapped_column()
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("instalments.id"))
    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind))
    key: Mapped[str] = mapped_column(String(80))
    state: Mapped[ReminderState] = mapped_column(str_enum(ReminderState), default=ReminderState.PENDING)
    try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Times the guard put it off (a time-of-day block); past MAX_DEFERRALS it is skipped
    deferrals: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    address: Mapped[str | None] = mapped_column(String(254))  # where it went
    # What it says beyond the plan's own facts (a declined charge's amount and retry day)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # the guard's refusal, or why it was skipped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
