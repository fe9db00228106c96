"""The work score: the order in which a collector should work their accounts, and the words that explain it.

One statement of the formula, as SQL expressions that both databases run (``app.pg.sql`` spells the date
arithmetic for each): the worklist sorts by ``score()`` and shows ``factor_points()`` in its "why this order" line,
so what is shown is what was sorted by. Each factor is a visible fact about the account times the agency's
weight for it (``Agency.work_score_weights``, set in Settings); the time-dependent facts are measured from the
bound ``now``, and a follow-up counts when it is due before the end of the agency's today (``due_by``).

The score is computed per request over the accounts in scope, not stored: "days since contact" and "follow-up
due" change with the clock, so a stored score would be stale by the next day, and a weight change would
rewrite every account of the agency (docs/decisions.md).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, bindparam, case, cast, func, literal

from app.accounts.models import CONTACT_BLOCKED_FOR_GOOD
from app.agencyday import day_end, day_start, local_time, local_today
from app.pg.sql import DAY_SECONDS, epoch_days, smaller
from app.timeutil import UTCDateTime, utcnow


@dataclass(frozen=True)
class Factor:
    name: str
    label: str  # Settings' wording of one unit of the weight
    default: int  # points per unit
    unit: float = 1.0  # of the fact: $1,000, 7 days, …


# Caps keep one fact from drowning the others: an old, large, never-contacted account is not worth ten
# fresh ones with a follow-up due.
BALANCE_CAP, BALANCE_UNIT = 25_000, 1_000
PLACED_CAP_DAYS, PLACED_UNIT_DAYS = 365, 30
SILENCE_CAP_DAYS, SILENCE_UNIT_DAYS = 90, 7
FACTORS = (
    Factor("follow_up", "Points when a follow-up is due today or overdue", 40),
    Factor("balance", f"Points per $1,000 of balance (up to ${BALANCE_CAP:,})", 2, BALANCE_UNIT),
    Factor(
        "no_contact",
        f"Points per {SILENCE_UNIT_DAYS} days without contact (up to {SILENCE_CAP_DAYS} days)",
        2,
        SILENCE_UNIT_DAYS,
    ),
    Factor(
        "placed",
        f"Points per {PLACED_UNIT_DAYS} days since placement (up to {PLACED_CAP_DAYS} days)",
        1,
        PLACED_UNIT_DAYS,
    ),
    Factor("priority", "Points per priority level (P0 none … P3 three times)", 5),
    Factor("promise_plan", "Points when the account's latest promise or plan is broken", 30),
)
FACTOR_NAMES = tuple(f.name for f in FACTORS)
MAX_WEIGHT = 1000

# Priority in words: the one place that says what P0–P3 mean (shown wherever a priority is).
PRIORITY_WORDS = {0: "low", 1: "normal", 2: "high", 3: "urgent"}


def priority_label(priority: int) -> str:
    """``P2 · high``: the level and what it means."""
    return f"P{priority} · {PRIORITY_WORDS.get(priority, '?')}"


def weights_of(stored: dict | None) -> dict[str, int]:
    """The agency's weight per factor: what it stored, the defaults for the rest."""
    stored = stored or {}
    return {f.name: int(stored.get(f.name, f.default)) for f in FACTORS}


def weight(name: str):
    """The bound points per one of the fact's own units (dollars, days): the weight divided by the factor's unit,
    so each row costs one multiplication per factor."""
    return bindparam(f"w_{name}", type_=Float, required=True)


def _capped(value, cap: float):
    return smaller(value, literal(cap, Float))


def _days_since(column):
    """Days from ``column`` to the bound ``now``, as ``now_days`` minus the column's days since 1970: no
    interval is built per row."""
    return bindparam("now_days", type_=Float, required=True) - epoch_days(column)


def promise_plan_state(rows):
    """1 when the account's latest promise or plan is broken (``Account.plan_broken``, kept by ``app.plans``)."""
    return case((rows.plan_broken, 1.0), else_=0.0)


def facts(rows) -> dict:
    """Each factor's fact on ``rows`` (accounts), capped, in dollars, days or levels."""
    due_by = bindparam("due_by", type_=UTCDateTime, required=True)
    silence = _days_since(func.coalesce(rows.last_contact_at, rows.created_at))
    return {
        "follow_up": case((rows.next_follow_up_at < due_by, 1.0), else_=0.0),
        "balance": _capped(cast(rows.current_balance, Float), float(BALANCE_CAP)),
        "no_contact": _capped(silence, float(SILENCE_CAP_DAYS)),
        "placed": _capped(_days_since(rows.created_at), float(PLACED_CAP_DAYS)),
        "priority": cast(rows.priority, Float),
        "promise_plan": promise_plan_state(rows),
    }


# An account the contact guard blocks now (``contact_blocked_until`` after the bound ``now_at``) goes after every
# account that can be contacted, whatever the weights: its points are this far below.
BLOCKED_PENALTY = 1_000_000.0


def blocked_now(rows):
    """1.0 while the contact guard blocks a call to the account (as its services last stored), else 0.0."""
    now_at = bindparam("now_at", type_=UTCDateTime, required=True)
    return case((rows.contact_blocked_until > now_at, 1.0), else_=0.0)


def factor_points(rows) -> dict:
    """Each factor's points on ``rows``: its fact times the agency's weight per unit (bound ``w_<factor>``), and
    ``blocked``: the penalty of an account that cannot be contacted now."""
    points = {name: fact * weight(name) for name, fact in facts(rows).items()}
    return points | {"blocked": blocked_now(rows) * literal(-BLOCKED_PENALTY, Float)}


def score(rows):
    """The work score of ``rows``: the sum of the factors' points."""
    points = list(factor_points(rows).values())
    total = points[0]
    for term in points[1:]:
        total = total + term
    return total


def score_values(stored_weights: dict | None, tz: str, now: datetime | None = None) -> dict:
    """The bound parameters of ``score()``: the weights per unit, ``now`` (as days since 1970) and the end of the
    agency's today."""
    now = now or utcnow()
    weights = weights_of(stored_weights)
    per_unit = {f"w_{f.name}": weights[f.name] / f.unit for f in FACTORS}
    day = dict(now_days=now.timestamp() / DAY_SECONDS, due_by=day_end(local_today(tz, now), tz), now_at=now)
    return per_unit | day


def explain(rows, tz: str, currency: str = "USD") -> dict[int, str]:
    """The "why this order" line of each row, by account id."""
    now = utcnow()
    today_start = day_start(local_today(tz, now), tz)
    symbol = "$" if currency == "USD" else f"{currency} "
    return {row.id: why(row, now, today_start, symbol, tz=tz) for row in rows}


def why(row, now: datetime, today_start: datetime, currency_symbol: str = "$", top: int = 3, tz: str = "UTC") -> str:
    """The "why this order" line of a row carrying the factors' points (``pt_<factor>``, from SQL) and its
    columns: a contact block first, then the largest contributions, in words."""
    points = {name: getattr(row, f"pt_{name}", 0) or 0 for name in FACTOR_NAMES}
    ranked = sorted((n for n in FACTOR_NAMES if points[n] > 0), key=lambda n: -points[n])
    words = [_words(name, row, now, today_start, currency_symbol) for name in ranked[:top]]
    if (getattr(row, "pt_blocked", 0) or 0) < 0:
        words.insert(0, blocked_words(row.contact_blocked_until, tz))
    return " · ".join(words) or "nothing stands out"


def blocked_words(until: datetime, tz: str) -> str:
    """Why a blocked account comes last: until when it cannot be called."""
    if until >= CONTACT_BLOCKED_FOR_GOOD:
        return "cannot be contacted (see the account's contact panel)"
    return f"cannot be called until {local_time(until, tz):%a %-d %b %H:%M}"


def _words(name: str, row, now: datetime, today_start: datetime, symbol: str) -> str:
    if name == "follow_up":
        return "follow-up overdue" if row.next_follow_up_at < today_start else "follow-up due today"
    if name == "balance":
        return f"{symbol}{row.current_balance:,.0f}"
    if name == "no_contact":
        return f"no contact for {(now - row.last_contact_at).days} days" if row.last_contact_at else "never contacted"
    if name == "placed":
        return f"placed {(now - row.created_at).days} days ago"
    if name == "priority":
        return priority_label(row.priority)
    return "promise or plan broken"
