"""Regulation F records: the contact log, a debtor's phones and emails and their wishes, consumer requests
(disputes, cease, attorney, bankruptcy, deceased), state rules, stored documents and validation notices.

Every row carries its agency (row-level security, and one composite key that also checks the agency).
"""

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.pg.indexes import partial_index
from app.timeutil import UTCDateTime, utcnow

Money = Numeric(12, 2)
ACCOUNT_KEY = (["agency_id", "account_id"], ["accounts.agency_id", "accounts.id"])
DEBTOR_KEY = (["agency_id", "debtor_id"], ["debtors.agency_id", "debtors.id"])


class Channel(enum.StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"


class Direction(enum.StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Outcome(enum.StrEnum):
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    LIMITED_CONTENT = "limited_content"  # a limited-content message (1006.2(j)): not a communication
    RIGHT_PARTY = "right_party"
    THIRD_PARTY = "third_party"
    WRONG_NUMBER = "wrong_number"
    REFUSED_TO_PAY = "refused_to_pay"
    PROMISE_TO_PAY = "promise_to_pay"
    DISPUTE = "dispute"
    CEASE_REQUEST = "cease_request"


# Outcomes in which the collector spoke with the consumer: on a call, each opens the 7-day window after a
# telephone conversation (1006.14(b)(2)(ii)).
CONVERSATION_OUTCOMES = frozenset(
    {Outcome.RIGHT_PARTY, Outcome.REFUSED_TO_PAY, Outcome.PROMISE_TO_PAY, Outcome.DISPUTE, Outcome.CEASE_REQUEST}
)


class ContactAttempt(db.Model):
    """One contact attempt or conversation about an account, outbound or inbound, as the collector logged it."""

    __tablename__ = "contact_attempts"
    __table_args__ = (
        ForeignKeyConstraint(*ACCOUNT_KEY),
        Index("ix_contact_attempts_account_at", "account_id", "at"),  # the guard's windows, the timeline
        Index("ix_contact_attempts_agency_at", "agency_id", "at"),  # analytics and the dashboard by period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who logged it (a dialer's token's user)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it happened (a dialer may log it afterwards)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class PointKind(enum.StrEnum):
    HOME = "home"
    CELL = "cell"
    WORK = "work"
    OTHER = "other"


class ContactPoint(db.Model):
    """One of a debtor's phone numbers or email addresses, with its consent and opt-out state."""

    __tablename__ = "contact_points"
    __table_args__ = (
        ForeignKeyConstraint(*DEBTOR_KEY),
        UniqueConstraint("agency_id", "debtor_id", "channel", "value"),
        CheckConstraint("channel IN ('phone', 'email')", name="point_channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    debtor_id: Mapped[int] = mapped_column()
    channel: Mapped[str] = mapped_column(String(10))  # "phone" or "email"
    value: Mapped[str] = mapped_column(String(254))  # a phone as E.164 digits, an email lower-cased
    kind: Mapped[PointKind] = mapped_column(str_enum(PointKind), default=PointKind.OTHER)
    source: Mapped[str] = mapped_column(String(40), default="collector")  # import, collector, debtor, portal
    consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    do_not_use: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    do_not_use_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InconvenientTime(db.Model):
    """A weekly span the consumer said is inconvenient (local time at the consumer's location)."""

    __tablename__ = "inconvenient_times"
    __table_args__ = (
        ForeignKeyConstraint(*DEBTOR_KEY),
        Index("ix_inconvenient_times_debtor", "debtor_id"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),  # Monday = 0, as datetime.weekday()
        CheckConstraint("starts < ends", name="span_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    debtor_id: Mapped[int] = mapped_column()
    weekday: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(db.Model):
    """A stored file about an account (a dispute letter, a verification sent, a validation notice's PDF).

    The bytes live under the storage directory at ``path`` (relative); ``sha256`` proves what was stored."""

    __tablename__ = "documents"
    __table_args__ = (ForeignKeyConstraint(*ACCOUNT_KEY), Index("ix_documents_account", "account_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column()
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestKind(enum.StrEnum):
    DISPUTE = "dispute"
    ORIGINAL_CREDITOR = "original_creditor"  # a request for the original creditor's name and address
    CEASE = "cease"  # stop communicating (1006.6(c))
    ATTORNEY = "attorney"  # represented by an attorney about the debt
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"


class RequestChannel(enum.StrEnum):
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    PORTAL = "portal"
    IN_PERSON = "in_person"


OPEN_REQUEST = text("resolved_at IS NULL")


class ConsumerRequest(db.Model):
    """A dispute, an original-creditor request, a cease request, or notice of an attorney, a bankruptcy or a
    death, on one account; open until ``resolved_at`` (for a dispute: the verification sent)."""

    __tablename__ = "consumer_requests"
    __table_args__ = (
        ForeignKeyConstraint(*ACCOUNT_KEY),
        partial_index("ix_consumer_requests_open", "account_id", "kind", where=OPEN_REQUEST),
        Index("ix_consumer_requests_agency_kind", "agency_id", "kind", "received_on"),  # the dashboard
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column()
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind))
    channel: Mapped[RequestChannel] = mapped_column(str_enum(RequestChannel))
    written: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    received_on: Mapped[date] = mapped_column(Date)
    disputed_amount: Mapped[Decimal | None] = mapped_column(Money)  # the portion disputed; None = all of it
    within_period: Mapped[bool | None] = mapped_column(Boolean)  # received within the validation period
    duplicative: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # put collection on hold
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. the attorney's name, firm, phone, address
    note: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])
    resolution_document: Mapped[Document | None] = relationship(foreign_keys=[resolution_document_id])


class StateRule(db.Model):
    """A state's limit on initiated communications about one debt, editable per agency (e.g. Massachusetts: 2 per
    7 days to a residence or cell). ``channels`` and ``point_kinds`` are comma-separated; empty = all."""

    __tablename__ = "state_rules"
    __table_args__ = (Index("ix_state_rules_agency_state", "agency_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    state: Mapped[str] = mapped_column(String(2))
    channels: Mapped[str] = mapped_column(String(60), default="call")
    point_kinds: Mapped[str] = mapped_column(String(60), default="")
    max_count: Mapped[int] = mapped_column(Integer)
    window_days: Mapped[int] = mapped_column(Integer)
    citation: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferenceDate(enum.StrEnum):
    """The five itemization reference dates of 1006.34(b)(3)."""

    LAST_STATEMENT = "last_statement"
    CHARGE_OFF = "charge_off"
    LAST_PAYMENT = "last_payment"
    TRANSACTION = "transaction"
    JUDGMENT = "judgment"


class Itemization(db.Model):
    """The validation notice's itemization of one account, as the creditor's placement file carried it."""

    __tablename__ = "itemizations"
    __table_args__ = (ForeignKeyConstraint(*ACCOUNT_KEY),)

    account_id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    reference: Mapped[ReferenceDate] = mapped_column(str_enum(ReferenceDate))
    itemization_date: Mapped[date] = mapped_column(Date)
    amount_on_date: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    fees: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    payments_credits: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    creditor_on_date: Mapped[str] = mapped_column(String(200))  # the creditor on the itemization date
    original_creditor: Mapped[str | None] = mapped_column(String(200))


class ValidationNotice(db.Model):
    """A validation notice sent about an account: the exact PDF (a document), when, how, in which language."""

    __tablename__ = "validation_notices"
    __table_args__ = (ForeignKeyConstraint(*ACCOUNT_KEY), Index("ix_validation_notices_account", "account_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column()
    sent_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10))  # mail or email
    language: Mapped[str] = mapped_column(String(2))  # en or es
    period_ends: Mapped[date] = mapped_column(Date)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship()


TENANT_TABLES = (
    "contact_attempts",
    "contact_points",
    "inconvenient_times",
    "documents",
    "consumer_requests",
    "state_rules",
    "itemizations",
    "validation_notices",
)
