"""State rules as data (per agency, editable by its admins) and the agency's own call limits.

Every agency starts with the state rules the law needs (``SEEDED``): at creation (``seed_state_rules``, called
where agencies are created) and, for the agencies that existed before, in migration 0028. Changes are audited.
The agency's own limits may be stricter than Regulation F, never looser (the guard applies the strictest anyway;
refusing a looser value says so at once instead of silently ignoring it).
"""

from dataclasses import dataclass

from sqlalchemy import select

from app.audit import services as audit
from app.auth.models import User
from app.compliance.models import Channel, PointKind, StateRule
from app.compliance.rules import FEDERAL_DAYS, FEDERAL_MAX, split
from app.compliance.settings import setting
from app.compliance.zones import state_code
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db

MA_CITATION = "940 CMR 7.04(1)(f)"
# (state, channels, point kinds, max, days, citation): Massachusetts counts initiated calls and texts per debt
SEEDED = (
    ("MA", "call,sms", "home,cell", 2, 7, MA_CITATION),
    ("MA", "call,sms", "work,other", 2, 30, MA_CITATION),
)
MAX_COUNT, MAX_DAYS = 1000, 366


def seed_state_rules(agency_id: int) -> None:
    """Add the seeded state rules to a new agency (the caller's transaction)."""
    db.session.add_all(
        StateRule(agency_id=agency_id, state=s, channels=c, point_kinds=k, max_count=m, window_days=d, citation=cite)
        for s, c, k, m, d, cite in SEEDED
    )


def list_state_rules(actor: User) -> list[StateRule]:
    stmt = select(StateRule).where(StateRule.agency_id == actor.agency_id)
    return list(db.session.scalars(stmt.order_by(StateRule.state, StateRule.id)))


@dataclass
class RuleInput:
    state: str
    channels: list[str]
    point_kinds: list[str]
    max_count: int
    window_days: int
    citation: str = ""
    active: bool = True


def save_state_rule(actor: User, data: RuleInput, rule_id: int | None = None) -> StateRule:
    """Add a state rule (``rule_id`` None) or change one of the agency's; admins only, audited, committed.

    Raises PermissionDenied, NotFound for another agency's rule, ValidationFailed for bad values."""
    _admin(actor)
    values = _checked(data)
    rule = StateRule(agency_id=actor.agency_id) if rule_id is None else _rule(actor, rule_id)
    before = {k: getattr(rule, k) for k in values} if rule_id else dict.fromkeys(values)
    for name, value in values.items():
        setattr(rule, name, value)
    db.session.add(rule)
    db.session.flush()
    action = "state_rule.added" if rule_id is None else "state_rule.changed"
    audit.record(actor, actor.agency_id, action, "state_rule", rule.id, audit.diff(before, values))
    db.session.commit()
    return rule


def _checked(data: RuleInput) -> dict:
    state = state_code(data.state)
    if state is None:
        raise ValidationFailed("Choose a US state.", {"state": "Not a US state."})
    channels = [c for c in data.channels if c in {m.value for m in Channel}]
    kinds = [k for k in data.point_kinds if k in {m.value for m in PointKind}]
    if not channels:
        raise ValidationFailed("Choose the channels the rule limits.", {"channels": "Choose one or more."})
    if not (1 <= int(data.max_count) <= MAX_COUNT and 1 <= int(data.window_days) <= MAX_DAYS):
        message = f"The limit is 1 to {MAX_COUNT} in 1 to {MAX_DAYS} days."
        raise ValidationFailed(message, {"max_count": message})
    return dict(
        state=state, channels=",".join(channels), point_kinds=",".join(kinds), max_count=int(data.max_count),
        window_days=int(data.window_days), citation=(data.citation or "").strip()[:200], active=bool(data.active),
    )  # fmt: skip


def _rule(actor: User, rule_id: int) -> StateRule:
    rule = db.session.get(StateRule, rule_id)
    if rule is None or rule.agency_id != actor.agency_id:
        raise NotFound("State rule not found.")
    return rule


def _admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can change compliance settings.")


def set_own_limits(actor: User, max_count: int, window_days: int) -> None:
    """The agency's own call limit per account (admins), audited; never looser than 7 calls in 7 days.

    Raises PermissionDenied, ValidationFailed for a looser or absurd limit."""
    _admin(actor)
    if not (1 <= max_count <= FEDERAL_MAX and FEDERAL_DAYS <= window_days <= MAX_DAYS):
        message = f"Allow at most {FEDERAL_MAX} call attempts in {FEDERAL_DAYS} to {MAX_DAYS} days (the law's limit)."
        raise ValidationFailed(message, {"call_attempts_max": message})
    agency = actor.agency
    keys = ("call_attempts_max", "call_attempts_window_days")
    before = {k: setting(agency, k) for k in keys}
    after = dict(zip(keys, (max_count, window_days), strict=True))
    agency.compliance_settings = (agency.compliance_settings or {}) | after
    changes = audit.diff(before, after) | {"relaxed": _looser(before, after)}
    audit.record(actor, agency.id, "compliance.limits_changed", "agency", agency.id, changes)
    db.session.commit()


def _looser(before: dict, after: dict) -> bool:
    """Whether the change allows more calls than before (a rate per day grew): shown in the audit log."""
    rate = lambda s: s["call_attempts_max"] / s["call_attempts_window_days"]  # noqa: E731
    return rate(after) > rate(before)


def rule_words(rule: StateRule) -> str:
    kinds = ", ".join(split(rule.point_kinds)) or "any number"
    return f"{rule.max_count} per {rule.window_days} days by {', '.join(split(rule.channels))} to {kinds}"
