"""Read-only queries of the compliance dashboard (admins): blocked attempts by rule this week, open disputes with
their SLA, validation notices due or overdue, accounts on hold, state rules in force. Each list is also a CSV
(``ROWS``)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.accounts.models import Account
from app.agencyday import day_start, local_today
from app.audit.models import AuditEvent
from app.auth.models import User
from app.compliance import holds, notice_queries
from app.compliance.models import ConsumerRequest, StateRule
from app.csvexport import stamp
from app.extensions import db

BLOCKED = "contact.blocked"  # the guard's audit action for a refused attempt: changes["rules"] lists rule ids


def week_start(viewer: User) -> datetime:
    """Monday 00:00 of the agency's current week, in UTC."""
    today = local_today(viewer.agency.timezone)
    return day_start(today - timedelta(days=today.weekday()), viewer.agency.timezone)


def blocked_by_rule(viewer: User, since: datetime) -> list[tuple[str, int]]:
    """How many refused attempts each rule took part in since ``since`` (an attempt refused by two rules counts
    for both), most first. Read from the agency's ``contact.blocked`` audit events."""
    stmt = select(AuditEvent.changes).where(
        AuditEvent.agency_id == viewer.agency_id, AuditEvent.action == BLOCKED, AuditEvent.created_at >= since
    )
    counts = Counter()
    for changes in db.session.scalars(stmt.execution_options(yield_per=1000)):
        counts.update(set(str(rule) for rule in (changes or {}).get("rules") or ()))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class OpenDispute:
    request: ConsumerRequest
    external_ref: str
    due: date
    state: str  # "open", "due", "overdue" (holds.sla_state)


def open_disputes(viewer: User) -> list[OpenDispute]:
    """The agency's open disputes and original-creditor requests, the oldest due first."""
    agency, today = viewer.agency, local_today(viewer.agency.timezone)
    r = ConsumerRequest
    stmt = (
        select(r, Account.external_ref)
        .join(Account, Account.id == r.account_id)
        .where(r.agency_id == viewer.agency_id, r.kind.in_(holds.HOLDING_KINDS), r.resolved_at.is_(None))
        .order_by(r.received_on, r.id)
    )
    rows = [
        OpenDispute(req, ref, holds.verification_due(req, agency), holds.sla_state(req, agency, today))
        for req, ref in db.session.execute(stmt)
    ]
    return rows


def accounts_on_hold(viewer: User) -> list:
    """Accounts with an open hold: id, reference, status, balance, the first held request's day, open holds."""
    r = ConsumerRequest
    stmt = (
        select(Account.id, Account.external_ref, Account.status, Account.current_balance)
        .add_columns(func.min(r.received_on), func.count(r.id))
        .join(r, r.account_id == Account.id)
        .where(r.agency_id == viewer.agency_id, Account.agency_id == viewer.agency_id)
        .where(r.hold.is_(True), r.resolved_at.is_(None))
        .group_by(Account.id, Account.external_ref, Account.status, Account.current_balance)
        .order_by(func.min(r.received_on), Account.id)
    )
    return list(db.session.execute(stmt))


def state_rules(viewer: User) -> list[StateRule]:
    """The agency's active state rules, by state."""
    stmt = select(StateRule).where(StateRule.agency_id == viewer.agency_id, StateRule.active.is_(True))
    return list(db.session.scalars(stmt.order_by(StateRule.state, StateRule.id)))


def _blocked_rows(viewer: User):
    return blocked_by_rule(viewer, week_start(viewer))


def _dispute_cells(viewer: User):
    tz = viewer.agency.timezone
    for d in open_disputes(viewer):
        req = d.request
        cells = [d.external_ref, req.kind.value, req.channel.value, "yes" if req.written else "no"]
        cells += [req.received_on.isoformat(), "yes" if req.hold else "no", d.due.isoformat(), d.state]
        yield cells + [stamp(req.created_at, tz)]


def notices_due(viewer: User) -> list:
    """Accounts whose validation notice is due or overdue (``notice_queries.notices_due``), the most urgent first."""
    return notice_queries.notices_due(viewer.agency_id, local_today(viewer.agency.timezone))


def _notice_cells(viewer: User):
    tz = viewer.agency.timezone
    for due in notices_due(viewer):
        cells = [due.account.external_ref, stamp(due.first_conversation, tz), due.due_on.isoformat()]
        # Two columns rather than a negative count, which the CSV's formula guard would prefix with a quote
        yield cells + (["overdue", 0, -due.days_left] if due.overdue else ["due", due.days_left, 0])


def _hold_cells(viewer: User):
    for _id, ref, status, balance, since, count in accounts_on_hold(viewer):
        yield [ref, status.value, str(balance), since.isoformat(), count]


def _rule_cells(viewer: User):
    for rule in state_rules(viewer):
        yield [rule.state, rule.channels, rule.point_kinds or "all", rule.max_count, rule.window_days, rule.citation]


# Each list's CSV: its header and its rows
ROWS = {
    "blocked": (["rule", "blocked_attempts_this_week"], _blocked_rows),
    "disputes": (
        ["account", "kind", "channel", "written", "received_on", "hold", "verification_due", "sla", "recorded_at"],
        _dispute_cells,
    ),
    "notices": (
        ["account", "first_conversation", "notice_due_by", "state", "days_left", "days_overdue"],
        _notice_cells,
    ),
    "holds": (["account", "status", "balance", "held_since", "open_holds"], _hold_cells),
    "state-rules": (["state", "channels", "point_kinds", "max_count", "window_days", "citation"], _rule_cells),
}
