"""Accounts (the placed debts), their creditors, and the account timeline."""

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.states import Status
from app.auth.models import User
from app.dbtypes import str_enum
from app.debtors.models import Debtor
from app.extensions import db
from app.pg.indexes import partial_index, search_index, worklist_indexes
from app.timeutil import UTCDateTime, utcnow

Money = Numeric(12, 2)
# ``Account.contact_blocked_until`` of a block that waiting never lifts (cease, attorney, bankruptcy, …)
CONTACT_BLOCKED_FOR_GOOD = datetime(9999, 1, 1, tzinfo=UTC)


class Creditor(db.Model):
    """The agency's client who placed the debt."""

    __tablename__ = "creditors"
    __table_args__ = (UniqueConstraint("agency_id", "name"), UniqueConstraint("agency_id", "id"))  # (agency, id): FK

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class Account(db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("agency_id", "external_ref"),
        UniqueConstraint("agency_id", "id"),  # the target of the timeline's (agency_id, account_id) key
        # The debtor and the creditor are of the account's agency: one key each also checks the agency
        ForeignKeyConstraint(["agency_id", "debtor_id"], ["debtors.agency_id", "debtors.id"]),
        ForeignKeyConstraint(["agency_id", "creditor_id"], ["creditors.agency_id", "creditors.id"]),
        CheckConstraint("current_balance >= 0", name="balance_nonneg"),
        CheckConstraint("original_amount > 0", name="original_positive"),
        CheckConstraint("priority BETWEEN 0 AND 3", name="priority_range"),
        *worklist_indexes(),  # the sort's, as the worklist's statements need them
        Index("ix_accounts_agency_debtor", "agency_id", "debtor_id"),  # the account page's "same debtor" card
        # The worklist's "promise due today" and "plan broken" filters: few accounts each, read by these.
        partial_index("ix_accounts_plan_due", "agency_id", "plan_due_on", where=text("plan_due_on IS NOT NULL")),
        partial_index("ix_accounts_plan_broken", "agency_id", "id", where=text("plan_broken")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()  # the agency's through the debtor's key (debtors.agency_id)
    # No index on creditor_id: nothing reads accounts by it, and creditors are never deleted.
    debtor_id: Mapped[int] = mapped_column()
    creditor_id: Mapped[int | None] = mapped_column()
    external_ref: Mapped[str] = mapped_column(String(100))
    account_type: Mapped[str | None] = mapped_column(String(80))
    original_amount: Mapped[Decimal] = mapped_column(Money)
    current_balance: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.NEW)
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)
    due_date: Mapped[date | None] = mapped_column(Date)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The earliest open follow-up's due time, kept by ``app.accounts.followups`` so the work score reads a column
    next_follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept by ``app.plans`` for the worklist's filters and the work score: the earliest open instalment's due
    # date of the account's active promise or plan, and whether its latest plan is broken.
    plan_due_on: Mapped[date | None] = mapped_column(Date)
    plan_broken: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Until when the contact guard refuses a call (its next allowed time; far in the future when waiting never
    # lifts it), kept by ``app.compliance.contacts`` so the work score and "next account" read a column
    contact_blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_collector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Lower-cased "ref name email", kept by the services: what the search box matches (a copy in AccountSearch).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Digest of the import row that last wrote this account: a re-import skips an identical row unvalidated.
    import_fingerprint: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Joined on the id alone (the composite keys also hold agency_id, which neither relationship may write).
    debtor: Mapped[Debtor] = relationship(primaryjoin="Account.debtor_id == Debtor.id", foreign_keys=[debtor_id])
    creditor: Mapped[Creditor | None] = relationship(
        primaryjoin="Account.creditor_id == Creditor.id", foreign_keys=[creditor_id]
    )
    assigned_collector: Mapped[User | None] = relationship()

    def refresh_search_text(self) -> None:
        """Recompute the search column from the ref and the debtor's name and email."""
        self.search_text = build_search_text(self.external_ref, self.debtor.full_name, self.debtor.email)

    @property
    def amount_paid(self) -> Decimal:
        return max(self.original_amount - self.current_balance, Decimal("0.00"))


class AccountSearch(db.Model):
    """PostgreSQL only: each account's ``search_text`` and collector again, the text under the search box's
    trigram index, kept equal to the account's by triggers (``app/pg/sql/account_search.sql``); SQLite matches
    ``accounts.search_text``.

    Apart from ``accounts`` because an update that changes an indexed column (a balance: every worklist index
    carries it) writes a new entry in each of the table's indexes, and a trigram entry is many GIN insertions:
    on ``accounts`` it cost a refresh file that moves every balance about a third of its time.
    """

    __tablename__ = "account_search"
    # No parallel scans: a search reads a few hundred rows here, and starting two workers cost ten times that.
    __table_args__ = (search_index(), {"info": {"postgresql_only": True}, "postgresql_with": {"parallel_workers": 0}})

    account_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    agency_id: Mapped[int] = mapped_column()
    search_text: Mapped[str] = mapped_column(Text)
    # A collector's search looks up only their own matches in accounts (a refresh never changes the collector)
    assigned_collector_id: Mapped[int | None] = mapped_column()


def build_search_text(external_ref: str, full_name: str, email: str | None) -> str:
    """The lower-cased text the worklist search matches against."""
    return " ".join(p for p in (external_ref, full_name, email or "") if p).lower()


class ActivityKind(enum.StrEnum):
    NOTE = "note"
    STATUS_CHANGE = "status_change"
    ASSIGNMENT = "assignment"
    PAYMENT = "payment"
    REFUND = "refund"
    IMPORT = "import"
    ADJUSTMENT = "adjustment"
    FOLLOW_UP = "follow_up"
    PRIORITY = "priority"
    DUE_DATE = "due_date"
    VALIDATION_NOTICE = "validation_notice"
    PORTAL = "portal"  # the debtor portal: a link made for the debtor, the debtor signing in
    REQUEST = "request"  # a consumer request (dispute, cease, attorney...) recorded or closed
    CONTACT = "contact"  # a contact attempt or conversation (app.compliance.contacts)


class ActivityDetail(enum.StrEnum):
    """Keys of ``Activity.details`` that SQL reads too (the collector rollups): a change's values before and after."""

    OLD = "old"
    NEW = "new"


ACTOR_SET = text("actor_id IS NOT NULL")


class Activity(db.Model):
    """One entry on an account's timeline."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_account_created", "account_id", "created_at", "id"),
        # An entry belongs to an account of its own agency (one key checks both)
        ForeignKeyConstraint(["agency_id", "account_id"], ["accounts.agency_id", "accounts.id"]),
        Index("ix_activities_agency_kind_created", "agency_id", "kind", "created_at"),  # analytics periods
        # Entries by a person (imports write none): a user's history, and deleting a user.
        partial_index("ix_activities_actor_id", "actor_id", where=ACTOR_SET),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()  # indexed by (agency_id, kind, created_at)
    account_id: Mapped[int] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind))
    body: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


OPEN_FOLLOW_UP = text("done_at IS NULL")


class FollowUp(db.Model):
    """A time to come back to an account, with the reason; done once someone completes it."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        ForeignKeyConstraint(["agency_id", "account_id"], ["accounts.agency_id", "accounts.id"]),
        # The account's open follow-ups, earliest first: the account page and ``next_follow_up_at``
        partial_index("ix_follow_ups_open", "account_id", "due_at", where=OPEN_FOLLOW_UP),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column()
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
