"""The demo's accounts at each Regulation F limit, so the contact guard, the holds and the compliance dashboard
show something at first sight: 7 call attempts this week, a conversation yesterday, a debtor in Hawaii, a cease
request, a dispute on hold (with its letter), an attorney.

Rows are inserted directly (the demo writes one audit event per agency); request timeline entries are worded as
``app.compliance.requests`` words them.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Account, Activity, ActivityDetail, ActivityKind
from app.accounts.services import add_timeline_entry
from app.accounts.states import Status
from app.agencies.models import Agency
from app.agencyday import local_date
from app.auth.models import User
from app.compliance import documents
from app.compliance.contacts import refresh_contact_block
from app.compliance.models import Channel, ConsumerRequest, ContactAttempt, Direction, Outcome, RequestChannel
from app.compliance.models import RequestKind as Kind
from app.compliance.request_queries import request_text
from app.extensions import db

WORKED = (Status.IN_CONTACT, Status.NEGOTIATING)
# The roles the first worked accounts play, in account-id order across the collectors
ROLES = ("seven_calls", "after_conversation", "hawaii", "cease", "attorney")
MISSED = (Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.BUSY, Outcome.NO_ANSWER, Outcome.LIMITED_CONTENT)
HAWAII = dict(city="Honolulu", state="HI", postal_code="96813", phone="(808) 555-0142")
ATTORNEY = {
    "attorney_name": "Leilani Brooks",
    "firm": "Brooks & Tan Consumer Law",
    "phone": "(617) 555-0190",
    "address": "100 Summer St, Boston, MA 02110",
}
DISPUTE_LETTER = (
    b"To whom it may concern,\n\nI dispute this debt in full. I do not recognise the account.\n"
    b"Please send me verification of the debt and the name and address of the original creditor.\n"
)


def seed_compliance(agency: Agency, collectors: list[User], now: datetime) -> dict[str, int]:
    """Give each role of ``ROLES`` to one worked account, and put one disputed account on hold; the counts."""
    accounts = dict(zip(ROLES, _worked_accounts(collectors), strict=False))
    attempts = 0
    if "seven_calls" in accounts:
        attempts += _seven_calls(accounts["seven_calls"], now)
    if "after_conversation" in accounts:
        attempts += _call(accounts["after_conversation"], now - timedelta(days=1), Outcome.RIGHT_PARTY)
    if "hawaii" in accounts:
        _move_to_hawaii(accounts["hawaii"])
    requests = [_request(accounts[k], k, now) for k in ("cease", "attorney") if k in accounts]
    held = _disputed_account(agency.id)
    if held is not None:
        requests.append(_held_dispute(held, now))
    for account in [*accounts.values(), *filter(None, [held])]:
        refresh_contact_block(account, now)  # the worklist puts the blocked ones last, as the services would
    return {"contact_attempts": attempts, "consumer_requests": len(requests)}


def _worked_accounts(collectors: list[User]) -> list[Account]:
    stmt = (
        select(Account)
        .where(Account.assigned_collector_id.in_([c.id for c in collectors]), Account.status.in_(WORKED))
        .order_by(Account.id)
        .limit(len(ROLES))
    )
    return list(db.session.scalars(stmt))


def _disputed_account(agency_id: int) -> Account | None:
    stmt = select(Account).where(Account.agency_id == agency_id, Account.status == Status.DISPUTED)
    return db.session.scalars(stmt.order_by(Account.id).limit(1)).first()


def _call(account: Account, at: datetime, outcome: Outcome) -> int:
    """One outbound call by the account's collector, as a dialer would log it."""
    phone = account.debtor.phone
    db.session.add(
        ContactAttempt(
            agency_id=account.agency_id,
            account_id=account.id,
            user_id=account.assigned_collector_id,
            channel=Channel.CALL,
            direction=Direction.OUTBOUND,
            outcome=outcome,
            at=at,
            phone=phone,
        )
    )
    return 1


def _seven_calls(account: Account, now: datetime) -> int:
    """Seven unanswered calls within the last six days: the seventh is the last one the week allows."""
    times = [now - timedelta(days=days, hours=3) for days in range(6, -1, -1)]
    return sum(_call(account, at, MISSED[i % len(MISSED)]) for i, at in enumerate(times))


def _move_to_hawaii(account: Account) -> None:
    """The debtor lives in Honolulu (HST, five hours behind New York; no daylight saving time)."""
    for name, value in HAWAII.items():
        setattr(account.debtor, name, value)


def _request(account: Account, role: str, now: datetime) -> ConsumerRequest:
    kind = Kind.CEASE if role == "cease" else Kind.ATTORNEY
    details = ATTORNEY if kind == Kind.ATTORNEY else {}
    return _add_request(account, kind, RequestChannel.LETTER, now - timedelta(days=3), details=details)


def _held_dispute(account: Account, now: datetime) -> ConsumerRequest:
    """A written dispute, received before the account moved to disputed, with the debtor's letter stored."""
    received = _disputed_at(account) or now - timedelta(days=10)
    request = _add_request(account, Kind.DISPUTE, RequestChannel.LETTER, received - timedelta(minutes=5), hold=True)
    request.document = documents.store(account, DISPUTE_LETTER, "dispute-letter.txt", "text/plain")
    return request


def _disputed_at(account: Account) -> datetime | None:
    """When the account's timeline moved it to disputed (the demo's history)."""
    stmt = select(Activity.created_at).where(
        Activity.account_id == account.id,
        Activity.kind == ActivityKind.STATUS_CHANGE,
        Activity.details[ActivityDetail.NEW].as_string() == Status.DISPUTED.value,
    )
    return db.session.scalar(stmt.order_by(Activity.created_at.desc()).limit(1))


def _add_request(account: Account, kind: Kind, channel, at: datetime, *, details=None, hold=False) -> ConsumerRequest:
    """The request as ``requests.record_request`` would store it, and its timeline entry at ``at``."""
    tz = db.session.get(Agency, account.agency_id).timezone
    request = ConsumerRequest(
        agency_id=account.agency_id,
        account_id=account.id,
        kind=kind,
        channel=channel,
        written=True,
        received_on=local_date(at, tz),
        within_period=True if hold else None,  # no validation notice yet: the period has not started
        hold=hold,
        details=details or {},
        created_at=at,
    )
    db.session.add(request)
    db.session.flush()
    entry = add_timeline_entry(account, ActivityKind.REQUEST, request_text(request), None, request_id=request.id)
    entry.created_at = at
    return request
