"""The SQL behind the collector performance table (read-only; see ``queries.get_collector_performance``).

Live (SQLite, or ``live=True``): every count is ``count(DISTINCT account_id)`` or runs over one row per account,
so an account with five payments or five notes counts once. On PostgreSQL the same figures come from the
trigger-kept rollups of migration 0006 (``collector_day_counts``: an account counts in days L..H on the row of
its first day with an event in them, the one whose ``prev_day`` is before L; ``collector_payment_days``: sums).
Both paths end in the same Python (``_set_cohort``), and a test holds them equal.
"""

from decimal import Decimal

from sqlalchemy import and_, case, func, select

from app.accounts.models import Account, Activity, ActivityDetail, ActivityKind
from app.accounts.states import Status
from app.analytics import periods, rollup
from app.analytics.models import CollectorDayCount, CollectorPaymentDay, FactKind
from app.analytics.periods import Range
from app.auth.models import User
from app.compliance.models import CONVERSATION_OUTCOMES, Channel, ContactAttempt, Direction
from app.extensions import db
from app.payments.models import APPLIED_STATUSES, Payment
from app.pg import planner
from app.pg.sql import DAY_SECONDS, seconds_between

NET = Payment.amount - Payment.refunded_amount
COUNTED = {FactKind.NOTE: "contacted", FactKind.PAID: "paying", FactKind.SETTLED: "settled"}  # rollup kind → row field


def fill(viewer: User, rows: dict, rng: Range, live: bool = False) -> None:
    """Fill each collector's row (keyed by user id) with the figures of the local days ``rng``."""
    ids = list(rows)
    planner.short_queries()
    bounds = periods.utc_bounds(rng, viewer.agency.timezone)
    _fill_calls(viewer, rows, ids, bounds)  # read from the contact log on both paths (indexed by agency and time)
    if rollup.uses_rollups() and not live:
        return _fill_from_rollups(viewer, rows, ids, rng)
    _fill_live(viewer, rows, ids, bounds)


def _fill_live(viewer: User, rows: dict, ids: list[int], bounds) -> None:
    """From the activities and payments themselves (UTC bounds of the period)."""
    for name, query in (("contacted", _contacted), ("settled", _settled)):
        for cid, count in db.session.execute(query(viewer, ids, bounds)):
            setattr(rows[cid], name, count)
    for cid, paying, collected, commission in db.session.execute(_payments(viewer, ids, bounds)):
        _set_money(rows[cid], collected, commission)
        rows[cid].paying = paying
    for cid, assigned, converted, seconds in db.session.execute(_cohort(viewer, ids, bounds)):
        _set_cohort(rows[cid], assigned, converted, seconds)


def _fill_calls(viewer: User, rows: dict, ids: list[int], bounds) -> None:
    """Outbound call attempts each collector logged in the period, and those that reached the right party (a
    conversation with the consumer: ``CONVERSATION_OUTCOMES``)."""
    a = ContactAttempt
    reached = func.count().filter(a.outcome.in_(CONVERSATION_OUTCOMES))
    stmt = (
        select(a.user_id, func.count(), reached)
        .where(a.agency_id == viewer.agency_id, a.channel == Channel.CALL, a.direction == Direction.OUTBOUND)
        .where(a.user_id.in_(ids), _in_period(a.at, bounds))
        .group_by(a.user_id)
    )
    for cid, attempts, right_party in db.session.execute(stmt):
        rows[cid].call_attempts, rows[cid].right_party = attempts, right_party


def _set_money(row, collected, commission) -> None:
    row.collected, row.commission = Decimal(collected or 0), Decimal(commission or 0)


def _set_cohort(row, assigned, converted, seconds) -> None:
    """Assigned and converted counts; mean days to the first payment from the converted accounts' seconds."""
    row.assigned, row.converted = int(assigned), int(converted or 0)
    if row.converted:
        mean = Decimal(str(seconds)) / row.converted / DAY_SECONDS
        row.avg_days_to_first_payment = mean.quantize(Decimal("0.1"))


def _fill_from_rollups(viewer: User, rows: dict, ids: list[int], rng: Range) -> None:
    """From ``collector_day_counts`` and ``collector_payment_days`` (local days of the period)."""
    c, m = CollectorDayCount, CollectorPaymentDay
    done = c.done_day <= rng.end  # the first payment after the assignment came by the period's end
    counts = (
        select(c.collector_id, c.kind, func.sum(c.accounts), func.sum(c.accounts).filter(done))
        .add_columns(func.sum(c.seconds).filter(done))
        .where(c.agency_id == viewer.agency_id, c.day.between(rng.start, rng.end), c.prev_day < rng.start)
        .where(c.collector_id.in_(ids))
        .group_by(c.collector_id, c.kind)
    )
    for cid, kind, accounts, converted, seconds in db.session.execute(counts):
        if kind == FactKind.ASSIGNED:
            _set_cohort(rows[cid], accounts, converted, seconds)
        else:
            setattr(rows[cid], COUNTED[kind], int(accounts))
    money = (
        select(m.collector_id, func.sum(m.net), func.sum(m.commission))
        .where(m.agency_id == viewer.agency_id, m.day.between(rng.start, rng.end), m.collector_id.in_(ids))
        .group_by(m.collector_id)
    )
    for cid, collected, commission in db.session.execute(money):
        _set_money(rows[cid], collected, commission)


def _in_period(column, bounds):
    return and_(column >= bounds[0], column < bounds[1])


def _contacted(viewer: User, ids: list[int], bounds):
    return (
        select(Activity.actor_id, func.count(Activity.account_id.distinct()))
        .where(Activity.agency_id == viewer.agency_id, Activity.kind == ActivityKind.NOTE)
        .where(Activity.actor_id.in_(ids), _in_period(Activity.created_at, bounds))
        .group_by(Activity.actor_id)
    )


def _settled(viewer: User, ids: list[int], bounds):
    """Accounts moved to settled in the period, credited to the collector the account is assigned to."""
    return (
        select(Account.assigned_collector_id, func.count(Activity.account_id.distinct()))
        .join(Account, Account.id == Activity.account_id)
        .where(Activity.agency_id == viewer.agency_id, Activity.kind == ActivityKind.STATUS_CHANGE)
        .where(Activity.details[ActivityDetail.NEW].as_string() == Status.SETTLED)
        .where(_in_period(Activity.created_at, bounds))
        .where(Account.assigned_collector_id.in_(ids))
        .group_by(Account.assigned_collector_id)
    )


def _paid():
    return (Payment.status.in_(APPLIED_STATUSES), Payment.amount > Payment.refunded_amount)


def _payments(viewer: User, ids: list[int], bounds):
    commission = func.sum(Payment.commission_amount - Payment.commission_reversed)
    paying_account = case((Payment.amount > Payment.refunded_amount, Payment.account_id))  # fully refunded: none
    return (
        select(Payment.collector_id, func.count(paying_account.distinct()), func.sum(NET), commission)
        .where(Payment.agency_id == viewer.agency_id, Payment.status.in_(APPLIED_STATUSES))
        .where(Payment.collector_id.in_(ids), _in_period(Payment.completed_at, bounds))
        .group_by(Payment.collector_id)
    )


def _cohort(viewer: User, ids: list[int], bounds):
    """Per collector: accounts assigned to them in the period, how many paid them by its end, seconds to pay."""
    new_id = Activity.details[ActivityDetail.NEW].as_integer()
    cohort = (
        select(new_id.label("cid"), Activity.account_id.label("account_id"), func.min(Activity.created_at).label("at"))
        .where(Activity.agency_id == viewer.agency_id, Activity.kind == ActivityKind.ASSIGNMENT)
        .where(new_id.in_(ids), _in_period(Activity.created_at, bounds))
        .group_by(new_id, Activity.account_id)
        .subquery()
    )
    # One indexed look-up per cohort account (payments by account), never a scan of every payment.
    first_paid = (
        select(func.min(Payment.completed_at))
        .where(Payment.account_id == cohort.c.account_id, Payment.agency_id == viewer.agency_id)
        .where(Payment.collector_id == cohort.c.cid, *_paid())
        .where(Payment.completed_at >= cohort.c.at, Payment.completed_at < bounds[1])
        .scalar_subquery()
    )
    # OFFSET 0 keeps PostgreSQL from inlining this and running the look-up once per use of first_at.
    first = select(cohort.c.cid, cohort.c.at, first_paid.label("first_at")).offset(0).subquery()
    seconds = seconds_between(first.c.at, first.c.first_at)
    return select(first.c.cid, func.count(), func.count(first.c.first_at), func.sum(seconds)).group_by(first.c.cid)
