"""Read-only analytics for admins, always scoped to the viewer's agency; money as Decimal, days in its timezone.

Net collected = amount − refunded amount of applied payments (completed, partly or fully refunded), dated by
the payment's completion. Aggregates count distinct accounts where a join could repeat them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from app.accounts.aging import BUCKETS, bucket_condition
from app.accounts.models import Account
from app.accounts.queries import list_collectors
from app.accounts.states import OPEN_STATUSES, Status
from app.agencyday import day_start, local_date, local_today
from app.analytics import performance, periods, rollup
from app.analytics.models import AccountTotal, OpenDueDate, PaymentDay
from app.analytics.periods import Range
from app.auth.models import User
from app.extensions import db
from app.imports.models import ImportJob
from app.imports.queries import recent_jobs
from app.payments.models import APPLIED_STATUSES, Payment
from app.timeutil import utcnow

ZERO = Decimal("0.00")
NET = Payment.amount - Payment.refunded_amount


@dataclass
class Figures:
    active_accounts: int = 0
    outstanding: Decimal = ZERO
    placed: Decimal = ZERO
    collected_all: Decimal = ZERO
    collected_month: Decimal = ZERO
    collected_today: Decimal = ZERO
    by_status: dict[Status, int] = field(default_factory=dict)
    import_files: int = 0
    import_rows: int = 0
    import_errors: int = 0
    today: date | None = None
    month_start: date | None = None

    @property
    def recovery_rate(self) -> Decimal | None:
        """Net collected ÷ amount placed, as a fraction (None before anything is placed)."""
        return (self.collected_all / self.placed).quantize(Decimal("0.0001")) if self.placed else None

    @property
    def import_error_rate(self) -> Decimal | None:
        return (
            (Decimal(self.import_errors) / self.import_rows).quantize(Decimal("0.0001")) if self.import_rows else None
        )


def applied_payments(viewer: User):
    """The agency's payments whose money was applied (refunds are subtracted through ``NET``)."""
    return (Payment.agency_id == viewer.agency_id, Payment.status.in_(APPLIED_STATUSES))


def get_dashboard_figures(viewer: User, now: datetime | None = None, live: bool = False) -> Figures:
    """The dashboard's headline figures for the viewer's agency.

    From the trigger-kept rollups on PostgreSQL (exact after every commit); ``live`` (or SQLite) aggregates
    the accounts and payments tables instead. Both give the same numbers; a test holds them equal.
    """
    today = local_today(viewer.agency.timezone, now)
    figures = Figures(today=today, month_start=today.replace(day=1))
    live = live or not rollup.uses_rollups()
    _account_figures(viewer, figures, live)
    _payment_figures(viewer, figures, live)
    _import_figures(viewer, figures, (now or utcnow()) - timedelta(days=30))
    return figures


def _account_figures(viewer: User, figures: Figures, live: bool) -> None:
    if live:
        columns = (Account.status, func.count(), func.sum(Account.current_balance), func.sum(Account.original_amount))
        stmt = select(*columns).where(Account.agency_id == viewer.agency_id).group_by(Account.status)
    else:
        columns = (AccountTotal.status, AccountTotal.accounts, AccountTotal.balance, AccountTotal.placed)
        stmt = select(*columns).where(AccountTotal.agency_id == viewer.agency_id)
    for raw, count, balance, placed in db.session.execute(stmt):
        status = Status(raw)
        if count:
            figures.by_status[status] = count
        figures.placed += Decimal(placed or 0)
        if status in OPEN_STATUSES:
            figures.active_accounts += count
            figures.outstanding += Decimal(balance or 0)


def _payment_figures(viewer: User, figures: Figures, live: bool) -> None:
    if live:
        tz = viewer.agency.timezone
        today_utc, month_utc = day_start(figures.today, tz), day_start(figures.month_start, tz)
        since = lambda start: func.sum(case((Payment.completed_at >= start, NET), else_=0))  # noqa: E731
        stmt = select(func.sum(NET), since(month_utc), since(today_utc)).where(*applied_payments(viewer))
    else:
        since = lambda day: func.sum(case((PaymentDay.day >= day, PaymentDay.net), else_=0))  # noqa: E731
        stmt = select(func.sum(PaymentDay.net), since(figures.month_start), since(figures.today))
        stmt = stmt.where(PaymentDay.agency_id == viewer.agency_id)
    total, month, today = db.session.execute(stmt).one()
    figures.collected_all, figures.collected_month, figures.collected_today = (
        Decimal(v or 0).quantize(ZERO) for v in (total, month, today)
    )


def _import_figures(viewer: User, figures: Figures, since: datetime) -> None:
    stmt = select(func.count(), func.sum(ImportJob.total), func.sum(ImportJob.errors)).where(
        *recent_jobs(viewer.agency_id, since)
    )
    files, rows, errors = db.session.execute(stmt).one()
    figures.import_files, figures.import_rows, figures.import_errors = files or 0, rows or 0, errors or 0


@dataclass
class TrendPoint:
    start: date
    net: Decimal = ZERO
    count: int = 0


def get_payment_trend(viewer: User, rng: Range, granularity: str) -> list[TrendPoint]:
    """Net collected and payment count per day/week/month of the range (agency time), empty periods as zero."""
    periods.check_points(rng, granularity)
    tz = viewer.agency.timezone
    points = {s: TrendPoint(s) for s in periods.period_starts(rng, granularity)}
    lower, upper = periods.utc_bounds(rng, tz)
    where = (*applied_payments(viewer), Payment.completed_at >= lower, Payment.completed_at < upper)
    for start, net, count in _grouped_by_period(where, tz, granularity, viewer, rng):
        point = points[start]
        point.net += Decimal(net or 0)
        point.count += count
    return list(points.values())


def _grouped_by_period(where: tuple, tz: str, granularity: str, viewer: User, rng: Range):
    """(period start, net, count) rows: from the daily rollup on PostgreSQL; SQLite groups payments by local day."""
    if rollup.uses_rollups():
        bucket = func.date_trunc(granularity, PaymentDay.day)
        stmt = select(bucket, func.sum(PaymentDay.net), func.sum(PaymentDay.payments)).group_by(bucket)
        stmt = stmt.where(PaymentDay.agency_id == viewer.agency_id, PaymentDay.day.between(rng.start, rng.end))
        return [(value.date(), net, count) for value, net, count in db.session.execute(stmt)]
    stmt = select(Payment.completed_at, NET).where(*where)
    rows = db.session.execute(stmt.execution_options(yield_per=5000))
    return [(periods.period_start(local_date(at, tz), granularity), net, 1) for at, net in rows]


@dataclass
class AgingRow:
    key: str
    label: str
    count: int = 0
    balance: Decimal = ZERO


def get_aging(viewer: User, today: date | None = None, live: bool = False) -> list[AgingRow]:
    """Active accounts by days past due (agency's today), with count and balance per bucket, all buckets shown.

    From the trigger-kept ``open_due_dates`` rollup on PostgreSQL (one row per due date), live on SQLite.
    """
    today = today or local_today(viewer.agency.timezone)
    if rollup.uses_rollups() and not live:
        column, count, balance = OpenDueDate.due_date, func.sum(OpenDueDate.accounts), func.sum(OpenDueDate.balance)
        where = (OpenDueDate.agency_id == viewer.agency_id,)
    else:
        column, count, balance = Account.due_date, func.count(), func.sum(Account.current_balance)
        where = (Account.agency_id == viewer.agency_id, Account.status.in_(OPEN_STATUSES))
    ordered = sorted(BUCKETS, key=lambda b: b.key != "no_due_date")  # the stand-in date must not look overdue
    key = case(*[(bucket_condition(b, today, column), b.key) for b in ordered])
    found = {
        k: (n, Decimal(b or 0))
        for k, n, b in db.session.execute(select(key, count, balance).where(*where).group_by(key))
    }
    return [AgingRow(b.key, b.label, *found.get(b.key, (0, ZERO))) for b in BUCKETS]


@dataclass
class CollectorRow:
    collector: User
    assigned: int = 0  # distinct accounts assigned to them in the period
    contacted: int = 0  # distinct accounts they wrote a note on in the period
    paying: int = 0  # distinct accounts with a payment credited to them in the period (not fully refunded)
    converted: int = 0  # of the accounts assigned in the period, those with such a payment by the period's end
    collected: Decimal = ZERO
    settled: int = 0  # distinct accounts of theirs moved to settled in the period
    commission: Decimal = ZERO
    avg_days_to_first_payment: Decimal | None = None
    call_attempts: int = 0  # outbound calls they logged in the period
    right_party: int = 0  # of those, the ones that reached the consumer (a conversation)

    @property
    def conversion_rate(self) -> Decimal | None:
        return _share(self.converted, self.assigned)

    @property
    def right_party_rate(self) -> Decimal | None:
        """Right-party contacts per call attempt."""
        return _share(self.right_party, self.call_attempts)


def _share(part: int, whole: int) -> Decimal | None:
    """``part / whole`` to four places (a rate shown as a percentage with one decimal), None without a whole."""
    return (Decimal(part) / whole).quantize(Decimal("0.0001")) if whole else None


PERFORMANCE_SORTS = (
    "name",
    "assigned",
    "contacted",
    "paying",
    "conversion_rate",
    "collected",
    "settled",
    "commission",
    "avg_days_to_first_payment",
    "call_attempts",
    "right_party_rate",
)


def get_collector_performance(
    viewer: User, rng: Range, sort: str = "name", desc: bool = False, live: bool = False
) -> list[CollectorRow]:
    """One row per collector of the agency (inactive ones too) for the period; each figure counts accounts once.

    From the trigger-kept collector rollups on PostgreSQL; ``live`` (or SQLite) reads the activities and
    payments instead. Both give the same figures; a test holds them equal.
    """
    rows = {c.id: CollectorRow(c) for c in list_collectors(viewer)}
    if rows:
        performance.fill(viewer, rows, rng, live)
    key = (lambda r: r.collector.full_name.lower()) if sort not in PERFORMANCE_SORTS[1:] else _sort_key(sort)
    return sorted(rows.values(), key=key, reverse=desc)


def _sort_key(sort: str):
    return lambda r: (getattr(r, sort) is not None, getattr(r, sort) or 0, r.collector.full_name.lower())
