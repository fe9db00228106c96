"""The contact guard: may this account's consumer be contacted on this channel at this instant, and if not, why
and from when (12 CFR 1006.6, 1006.14; state rules; the agency's own limits; the consumer's requests and wishes).

``check`` judges an instant against the history up to it (attempts logged at or before it), so a dialer's
after-the-fact log and a check for a future time both get the answer that instant deserves. Each rule returns
its reasons; the next allowed time is found by moving to the latest reason's time until every rule agrees
(a frequency limit that ends at 23:10 local time gives way to the time-of-day rule's 8:00 the next morning).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.accounts.models import Account
from app.agencies.models import Agency
from app.compliance import points, rules
from app.compliance.models import (
    OPEN_REQUEST,
    Channel,
    ConsumerRequest,
    ContactAttempt,
    ContactPoint,
    InconvenientTime,
    StateRule,
)
from app.compliance.rules import Reason
from app.compliance.settings import setting
from app.compliance.zones import candidate_zones, state_code
from app.extensions import db

MAX_STEPS = 40  # moves towards the next allowed time; each move passes one reason, so a few always suffice


@dataclass
class Decision:
    allowed: bool
    reasons: list[Reason]
    next_allowed_at: datetime | None  # the checked instant when allowed; None when waiting never allows it
    debtor_local_time: datetime
    attempts_in_window: int  # outbound call attempts in the 7 days up to the instant


@dataclass
class Facts:
    """What the rules read about one account, loaded once per check."""

    account: Account
    agency: Agency
    zones: tuple[ZoneInfo, ...]
    attempts: list[ContactAttempt]  # at or before the checked instant, newest within the longest window
    requests: list[ConsumerRequest]
    spans: list[InconvenientTime]
    state: str | None
    state_rules: list[StateRule]
    point: ContactPoint | None  # the number or address to be used, when stored
    kinds: dict[str, str] = field(default_factory=dict)  # a phone's kind by its value (stored points)


def check(account: Account, channel: Channel | str, at: datetime, *, phone=None, email=None) -> Decision:
    """Whether an outbound contact with ``account``'s consumer on ``channel`` at ``at`` (aware) is allowed, with
    every reason it is not and the next instant it would be."""
    channel = Channel(channel)
    facts = load_facts(account, channel, at, phone, email)
    reasons = evaluate(facts, channel, at)
    home = facts.zones[0]
    return Decision(
        allowed=not reasons,
        reasons=reasons,
        next_allowed_at=at if not reasons else next_allowed(facts, channel, reasons),
        debtor_local_time=at.astimezone(home),
        attempts_in_window=len(rules.within(rules.outbound_calls(facts.attempts), at, rules.FEDERAL_DAYS)),
    )


def evaluate(facts: Facts, channel: Channel, at: datetime) -> list[Reason]:
    """Every rule's reasons at ``at`` (empty: allowed)."""
    return [reason for rule in rules.RULES for reason in rule(facts, channel, at)]


def next_allowed(facts: Facts, channel: Channel, reasons: list[Reason]) -> datetime | None:
    """The first instant every rule allows, or None when a reason never lifts by waiting."""
    for _ in range(MAX_STEPS):
        if any(r.next_allowed_at is None for r in reasons):
            return None
        at = max(r.next_allowed_at for r in reasons)
        reasons = evaluate(facts, channel, at)
        if not reasons:
            return at
    return None  # the rules never agree (zones whose waking hours never overlap): no time by waiting


def load_facts(account: Account, channel: Channel, at: datetime, phone: str | None, email: str | None) -> Facts:
    debtor, agency = account.debtor, db.session.get(Agency, account.agency_id)
    phone = points.normal_phone(phone)
    value = points.normal_email(email) if channel == Channel.EMAIL else phone
    point = points.find_point(debtor, "email" if channel == Channel.EMAIL else "phone", value)
    state = state_code(debtor.state)
    state_rules = rules.state_rules_of(agency.id, state)
    windows = [rules.FEDERAL_DAYS + 1, setting(agency, "call_attempts_window_days")]
    days = max(windows + [r.window_days for r in state_rules])
    return Facts(
        account=account,
        agency=agency,
        zones=candidate_zones(debtor.state, debtor.postal_code, [phone or debtor.phone]),
        attempts=_attempts(account, at - timedelta(days=days), at),
        requests=_open_requests(account),
        spans=points.list_inconvenient_times(debtor),
        state=state,
        state_rules=state_rules,
        point=point,
        kinds=_phone_kinds(debtor),
    )


def _attempts(account: Account, since: datetime, until: datetime) -> list[ContactAttempt]:
    stmt = select(ContactAttempt).where(
        ContactAttempt.agency_id == account.agency_id,
        ContactAttempt.account_id == account.id,
        ContactAttempt.at > since,
        ContactAttempt.at <= until,
    )
    return list(db.session.scalars(stmt.order_by(ContactAttempt.at)))


def _open_requests(account: Account) -> list[ConsumerRequest]:
    stmt = select(ConsumerRequest).where(
        ConsumerRequest.agency_id == account.agency_id, ConsumerRequest.account_id == account.id, OPEN_REQUEST
    )
    return list(db.session.scalars(stmt.order_by(ConsumerRequest.received_on, ConsumerRequest.id)))


def _phone_kinds(debtor) -> dict[str, str]:
    stmt = select(ContactPoint.value, ContactPoint.kind).where(
        ContactPoint.agency_id == debtor.agency_id, ContactPoint.debtor_id == debtor.id, ContactPoint.channel == "phone"
    )
    return {value: kind.value for value, kind in db.session.execute(stmt)}
