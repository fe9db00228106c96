"""The SQL behind the collector performance table (read-only; see ``queries.get_collector_performance``).

Every count is ``count(DISTINCT account_id)`` or runs over one row per account, so an account with five
payments or five notes counts once.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, select, text

from app.accounts.models import Account, Activity, ActivityKind
from app.auth.models import User
from app.extensions import db
from app.payments.models import APPLIED_STATUSES, Payment

NET = Payment.amount - Payment.refunded_amount


def fill(viewer: User, rows: dict, bounds: tuple[datetime, datetime]) -> None:
    """Fill each collector's row (keyed by user id) with the period's figures."""
    ids = list(rows)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))  # compiling costs more than these short queries take
    for name, query in (("contacted", _contacted), ("settled", _settled)):
        for cid, count in db.session.execute(query(viewer, ids, bounds)):
            setattr(rows[cid], name, count)
    for cid, paying, collected, commission in db.session.execute(_payments(viewer, ids, bounds)):
        row = rows[cid]
        row.paying, row.collected, row.commission = paying, Decimal(collected or 0), Decimal(commission or 0)
    for cid, assigned, converted, avg_days in db.session.execute(_cohort(viewer, ids, bounds)):
        row = rows[cid]
        row.assigned, row.converted = assigned, converted
        row.avg_days_to_first_payment = None if avg_days is None else Decimal(str(avg_days)).quantize(Decimal("0.1"))


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
        .where(Activity.details["new"].as_string() == "settled", _in_period(Activity.created_at, bounds))
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
    """Per collector: accounts assigned to them in the period, how many paid them by its end, mean days to pay."""
    new_id = Activity.details["new"].as_integer()
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
    days = _days_between(first.c.at, first.c.first_at)
    return select(first.c.cid, func.count(), func.count(first.c.first_at), func.avg(days)).group_by(first.c.cid)


def _days_between(start, end):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400
    return func.julianday(end) - func.julianday(start)
