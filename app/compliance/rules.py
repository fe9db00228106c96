"""The contact guard's rules, one function each: ``rule(facts, channel, at) -> [Reason]`` (empty: no objection).

``facts`` is the guard's ``Facts`` (the account's recent attempts, open requests, wishes, zones, state rules).
The numbers of the law are stated here once; the agency's own limits come from its settings and the state rules
from its ``StateRule`` rows.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.agencyday import local_time
from app.compliance.models import CONVERSATION_OUTCOMES, Channel, Direction, PointKind, RequestKind, StateRule
from app.compliance.settings import setting
from app.extensions import db

# 12 CFR 1006.14(b)(2): 7 call attempts in 7 consecutive days; none for 7 days after a telephone conversation
FEDERAL_MAX, FEDERAL_DAYS = 7, 7
CONVERSATION_DAYS = 7  # the conversation's day is day 1: calls again from the start of day 8
# 1006.6(b)(1)(i): before 8 a.m. and after 9 p.m. local time are inconvenient (a call at 21:00 is not allowed)
OPENS, CLOSES = time(8), time(21)
TIMED = frozenset({Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.IN_PERSON})  # a letter has no hour
# A cease request still lets a letter out: one saying collection ends or naming a specific remedy (1006.6(c)(2))
CEASE_ALLOWS = frozenset({Channel.LETTER})


@dataclass(frozen=True)
class Reason:
    rule: str  # a stable id the dashboard counts by: call_frequency, conversation, time_of_day, state:MA, …
    detail: str  # in words a collector understands
    next_allowed_at: datetime | None  # None: waiting does not lift it


def when(instant: datetime, tz: str) -> str:
    """An instant as the agency's staff read it: ``Mon 7 Dec 14:02``."""
    return local_time(instant, tz).strftime("%a %-d %b %H:%M")


def outbound_calls(attempts) -> list:
    return [a for a in attempts if a.channel == Channel.CALL and a.direction == Direction.OUTBOUND]


def within(attempts, at: datetime, days: int) -> list:
    """The attempts in the ``days`` × 24 hours up to and including ``at`` (oldest first)."""
    start = at - timedelta(days=days)
    return [a for a in attempts if start < a.at <= at]


def limit_reasons(rule: str, attempts, at: datetime, max_count: int, days: int, what: str, tz: str) -> list[Reason]:
    """A frequency limit: at most ``max_count`` of ``attempts`` in any ``days`` × 24 hours. Blocked while the window
    holds that many; allowed again when the oldest one that keeps it full leaves the window."""
    inside = within(attempts, at, days)
    if len(inside) < max_count:
        return []
    frees = inside[len(inside) - max_count].at + timedelta(days=days)
    detail = f"{len(inside)} of {max_count} {what} in {days} days, since {when(inside[0].at, tz)}"
    return [Reason(rule, detail, frees)]


def federal_frequency(facts, channel: Channel, at: datetime) -> list[Reason]:
    if channel != Channel.CALL:
        return []
    calls = outbound_calls(facts.attempts)
    return limit_reasons("call_frequency", calls, at, FEDERAL_MAX, FEDERAL_DAYS, "call attempts", facts.agency.timezone)


def agency_limit(facts, channel: Channel, at: datetime) -> list[Reason]:
    """The agency's own call limit, when it differs from the law's (the same numbers would say it twice)."""
    most, days = setting(facts.agency, "call_attempts_max"), setting(facts.agency, "call_attempts_window_days")
    if channel != Channel.CALL or (most, days) == (FEDERAL_MAX, FEDERAL_DAYS):
        return []
    what = "call attempts (the agency's own limit)"
    return limit_reasons("agency_limit", outbound_calls(facts.attempts), at, most, days, what, facts.agency.timezone)


def conversation(facts, channel: Channel, at: datetime) -> list[Reason]:
    """No call within 7 consecutive days after a telephone conversation (inbound too), counted in the consumer's
    local days: in every zone they may be in, so day 8 starts at the latest of those midnights."""
    talks = [a for a in facts.attempts if a.channel == Channel.CALL and a.outcome in CONVERSATION_OUTCOMES]
    if channel != Channel.CALL or not talks:
        return []
    last = talks[-1]
    reopens = max(_day_start(last.at, zone, CONVERSATION_DAYS) for zone in facts.zones)
    if at >= reopens:
        return []
    tz = facts.agency.timezone
    detail = f"Spoke with the consumer by phone on {when(last.at, tz)}: no call until day 8 ({when(reopens, tz)})"
    return [Reason("conversation", detail, reopens)]


def _day_start(instant: datetime, zone: ZoneInfo, days_later: int) -> datetime:
    day = instant.astimezone(zone).date() + timedelta(days=days_later)
    return datetime.combine(day, time(), zone).astimezone(UTC)


def time_of_day(facts, channel: Channel, at: datetime) -> list[Reason]:
    """Only between 8:00 and 21:00 in every zone the consumer may be in."""
    if channel not in TIMED or all(_awake(at, zone) for zone in facts.zones):
        return []
    clocks = ", ".join(sorted({at.astimezone(zone).strftime("%H:%M %Z") for zone in facts.zones}))
    detail = f"It is {clocks} where the consumer may be: contact only between 8:00 and 21:00 there"
    return [Reason("time_of_day", detail, _next_awake(facts.zones, at))]


def _awake(at: datetime, zone: ZoneInfo) -> bool:
    return OPENS <= at.astimezone(zone).time() < CLOSES


def _next_awake(zones, at: datetime) -> datetime | None:
    """The first 8:00 in one of the zones, after ``at``, at which every zone is awake (the allowed hours are the
    overlap of the zones' days, so they begin at some zone's 8:00)."""
    mornings = sorted(
        datetime.combine(at.astimezone(zone).date() + timedelta(days=d), OPENS, zone).astimezone(UTC)
        for zone in zones
        for d in range(-1, 3)
    )
    return next((m for m in mornings if m > at and all(_awake(m, zone) for zone in zones)), None)


def inconvenient_times(facts, channel: Channel, at: datetime) -> list[Reason]:
    """The weekly times the consumer said are inconvenient (their local time, in each zone they may be in)."""
    if channel not in TIMED:
        return []
    ends = [
        datetime.combine(local.date(), span.ends, zone).astimezone(UTC)
        for span in facts.spans
        for zone in facts.zones
        if (local := at.astimezone(zone)).weekday() == span.weekday and span.starts <= local.time() < span.ends
    ]
    if not ends:
        return []
    return [Reason("inconvenient_time", "The consumer said this time of the week is inconvenient for them", max(ends))]


def point_wishes(facts, channel: Channel, at: datetime) -> list[Reason]:
    """The number or address to be used: do not use, opted out of electronic messages, a work phone the employer
    forbids calls to."""
    point, reasons = facts.point, []
    if point is None:
        return []
    if point.do_not_use:
        reasons.append(Reason("do_not_use", f"{point.value} is marked do not use: {point.do_not_use_reason}", None))
    if point.opted_out_at and channel in (Channel.SMS, Channel.EMAIL):
        what = "text messages" if channel == Channel.SMS else "emails"
        detail = f"The consumer opted out of {what} to {point.value} on {point.opted_out_at:%Y-%m-%d}"
        reasons.append(Reason("opted_out", detail, None))
    if channel == Channel.CALL and point.kind == PointKind.WORK and facts.account.debtor.no_calls_at_work:
        detail = f"{point.value} is a work number and the consumer's employer forbids calls at work"
        reasons.append(Reason("no_calls_at_work", detail, None))
    return reasons


def requests(facts, channel: Channel, at: datetime) -> list[Reason]:
    """Open consumer requests: cease, attorney, bankruptcy, deceased, and any request holding collection."""
    return [reason for request in facts.requests for reason in _request_reasons(request, channel)]


def _request_reasons(request, channel: Channel) -> list[Reason]:
    received = f"{request.received_on:%Y-%m-%d}"
    found = []
    if request.kind == RequestKind.CEASE and channel not in CEASE_ALLOWS:
        detail = (
            f"The consumer asked to stop communication (received {received}): only a letter saying collection "
            "ends or naming a specific remedy may go out"
        )
        found.append(Reason("cease", detail, None))
    elif request.kind == RequestKind.ATTORNEY:
        found.append(Reason("attorney", f"Represented by an attorney: contact {attorney_words(request.details)}", None))
    elif request.kind in (RequestKind.BANKRUPTCY, RequestKind.DECEASED):
        found.append(Reason(request.kind.value, f"{request.kind.value.title()} on file since {received}", None))
    if request.hold:
        what = "dispute" if request.kind == RequestKind.DISPUTE else "request for the original creditor"
        detail = f"Collection is on hold: a {what} received {received} is under review, until verification is sent"
        found.append(Reason("hold", detail, None))
    return found


def attorney_words(details: dict | None) -> str:
    """The attorney as a collector reads them: name, firm, phone, address (what the request holds)."""
    parts = [str((details or {}).get(k) or "").strip() for k in ("name", "firm", "phone", "address")]
    return ", ".join(p for p in parts if p) or "the attorney (no details recorded)"


def state_limits(facts, channel: Channel, at: datetime) -> list[Reason]:
    """The agency's active rules for the consumer's state, each on the channels and kinds of number it names.

    A number of unknown kind (not in the debtor's list) is held to every rule of its channel."""
    found = []
    target = facts.point.kind.value if facts.point is not None and facts.point.kind else None
    for rule in facts.state_rules:
        channels, kinds = split(rule.channels), split(rule.point_kinds)
        if (channels and channel.value not in channels) or (kinds and target and target not in kinds):
            continue
        counted = [a for a in facts.attempts if _counts_for(a, channels, kinds, facts.kinds)]
        what = f"initiated communications allowed by {rule.state} law ({rule.citation or 'state rule'})"
        found += limit_reasons(f"state:{rule.state}", counted, at, rule.max_count, rule.window_days, what,
                               facts.agency.timezone)  # fmt: skip
    return found


def _counts_for(attempt, channels: list[str], kinds: list[str], known_kinds: dict) -> bool:
    if attempt.direction != Direction.OUTBOUND or (channels and attempt.channel.value not in channels):
        return False
    kind = known_kinds.get(attempt.phone)
    return not kinds or kind is None or kind in kinds


def split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def state_rules_of(agency_id: int, state: str | None) -> list[StateRule]:
    if not state:
        return []
    mine = (StateRule.agency_id == agency_id, StateRule.state == state, StateRule.active.is_(True))
    stmt = select(StateRule).where(*mine)
    return list(db.session.scalars(stmt.order_by(StateRule.id)))


RULES = (
    requests,
    point_wishes,
    federal_frequency,
    agency_limit,
    state_limits,
    conversation,
    time_of_day,
    inconvenient_times,
)
