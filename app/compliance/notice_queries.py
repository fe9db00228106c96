"""Reading validation notices: an account's notices and their PDFs (scoped like the account), and the notices
due: the first conversation with the consumer on an account that has no notice starts a countdown of
``notice_days_after_contact`` days (12 CFR 1006.34(a): within 5 days after the initial communication)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select

from app.accounts.models import Account
from app.accounts.queries import get_account
from app.agencies.models import Agency
from app.agencyday import local_date
from app.auth.models import User
from app.compliance import documents
from app.compliance.models import CONVERSATION_OUTCOMES, ContactAttempt, Document, Itemization, ValidationNotice
from app.compliance.settings import setting
from app.errors import NotFound
from app.extensions import db


@dataclass(frozen=True)
class NoticeDue:
    """An account whose validation notice is due: its first conversation, the last day to send, how far off."""

    account: Account
    first_conversation: datetime
    due_on: date
    days_left: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def words(self) -> str:
        """Say it: 'Validation notice due by 2027-01-14 (3 days left)', or '... overdue by 2 days'."""
        if self.overdue:
            return f"Validation notice overdue by {_days(-self.days_left)} (due by {self.due_on.isoformat()})"
        return f"Validation notice due by {self.due_on.isoformat()} ({_days(self.days_left)} left)"


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def get_itemization(account: Account) -> Itemization | None:
    """The account's itemization, or None ("cannot send notice")."""
    return db.session.get(Itemization, account.id)


def list_notices(account: Account) -> list[ValidationNotice]:
    """The account's notices, latest first, with their documents."""
    stmt = (
        select(ValidationNotice)
        .where(ValidationNotice.agency_id == account.agency_id, ValidationNotice.account_id == account.id)
        .order_by(ValidationNotice.sent_on.desc(), ValidationNotice.id.desc())
    )
    return list(db.session.scalars(stmt))


def get_notice(viewer: User, account_id: int, notice_id: int) -> ValidationNotice:
    """A notice of an account the viewer may see; NotFound otherwise (the same answer as a missing id)."""
    account = get_account(viewer, account_id)
    notice = db.session.scalars(
        select(ValidationNotice).where(
            ValidationNotice.id == notice_id,
            ValidationNotice.account_id == account.id,
            ValidationNotice.agency_id == account.agency_id,
        )
    ).first()
    if notice is None:
        raise NotFound("Validation notice not found.")
    return notice


def notice_pdf(viewer: User, account_id: int, notice_id: int) -> tuple[Document, bytes]:
    """The stored PDF of a notice the viewer may see, exactly as it was sent."""
    document = get_notice(viewer, account_id, notice_id).document
    return document, documents.read(document)


def notices_due(agency_id: int, today: date) -> list[NoticeDue]:
    """The agency's accounts with a conversation and no validation notice, the most urgent first (one query)."""
    return _due(agency_id, today)


def notice_countdown(account: Account, today: date) -> NoticeDue | None:
    """The account's countdown, or None (no conversation yet, or a notice sent)."""
    found = _due(account.agency_id, today, account.id)
    return found[0] if found else None


def _due(agency_id: int, today: date, account_id: int | None = None) -> list[NoticeDue]:
    agency = db.session.get(Agency, agency_id)
    days = timedelta(days=int(setting(agency, "notice_days_after_contact")))
    first = func.min(ContactAttempt.at)
    sent = exists().where(ValidationNotice.agency_id == agency_id, ValidationNotice.account_id == Account.id)
    stmt = (
        select(Account, first)
        .join(ContactAttempt, and_(ContactAttempt.agency_id == agency_id, ContactAttempt.account_id == Account.id))
        .where(Account.agency_id == agency_id, ContactAttempt.outcome.in_(CONVERSATION_OUTCOMES), ~sent)
        .group_by(Account.id)
    )
    if account_id is not None:
        stmt = stmt.where(Account.id == account_id)
    found = []
    for account, at in db.session.execute(stmt):
        due_on = local_date(at, agency.timezone) + days
        found.append(NoticeDue(account, at, due_on, (due_on - today).days))
    return sorted(found, key=lambda due: (due.due_on, due.account.id))
