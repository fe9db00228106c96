"""Read-only account queries, always scoped to the viewer's agency (and, for collectors, to their accounts)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.accounts import aging
from app.accounts.models import Account, Activity
from app.accounts.states import OPEN_STATUSES, WORKING_STATUSES, Status
from app.auth.models import Role, User
from app.collectors.models import CollectorProfile
from app.errors import NotFound
from app.extensions import db
from app.timeutil import utcnow

SORTS = {
    "priority": Account.priority,
    "balance": Account.current_balance,
    "due_date": Account.due_date,
    "last_contact": Account.last_contact_at,
    "created": Account.created_at,
}
UNASSIGNED = 0


@dataclass
class WorklistFilters:
    status: Status | None = None
    priority: int | None = None
    collector_id: int | None = None  # UNASSIGNED (0) selects accounts without a collector
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str = ""
    aging: str | None = None  # an aging bucket key: open accounts in that bucket as of the agency's today
    sort: str = "priority"
    direction: str = "desc"


@dataclass
class Page:
    items: list = field(default_factory=list)
    number: int = 1
    size: int = 25
    has_next: bool = False

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1


def scoped_accounts(viewer: User) -> Select:
    """All accounts the viewer may see: the agency's for admins, their own for collectors."""
    stmt = select(Account).where(Account.agency_id == viewer.agency_id)
    if viewer.role != Role.ADMIN:
        stmt = stmt.where(Account.assigned_collector_id == viewer.id)
    return stmt


def get_account(viewer: User, account_id: int, *, for_update: bool = False) -> Account:
    """The account if the viewer may see it; NotFound otherwise (same answer as a missing id)."""
    stmt = scoped_accounts(viewer).where(Account.id == account_id)
    if for_update:
        stmt = stmt.with_for_update()
    account = db.session.scalars(stmt).first()
    if account is None:
        raise NotFound("Account not found.")
    return account


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filters(stmt: Select, f: WorklistFilters) -> Select:
    """Narrow a scoped account query by the worklist filters."""
    conditions = [
        (f.status is not None, lambda: Account.status == f.status),
        (f.priority is not None, lambda: Account.priority == f.priority),
        (f.collector_id == UNASSIGNED, lambda: Account.assigned_collector_id.is_(None)),
        (bool(f.collector_id), lambda: Account.assigned_collector_id == f.collector_id),
        (f.balance_min is not None, lambda: Account.current_balance >= f.balance_min),
        (f.balance_max is not None, lambda: Account.current_balance <= f.balance_max),
        (f.due_from is not None, lambda: Account.due_date >= f.due_from),
        (f.due_to is not None, lambda: Account.due_date <= f.due_to),
        (bool(f.q), lambda: Account.search_text.like(f"%{escape_like(f.q.lower())}%", escape="\\")),
    ]
    return stmt.where(*[build() for wanted, build in conditions if wanted])


def apply_aging(stmt: Select, bucket_key: str | None, viewer: User) -> Select:
    """Narrow to open accounts in an aging bucket, counted in days past due in the agency's calendar."""
    bucket = aging.BY_KEY.get(bucket_key or "")
    if bucket is None:
        return stmt
    today = utcnow().astimezone(ZoneInfo(viewer.agency.timezone)).date()
    return stmt.where(Account.status.in_(OPEN_STATUSES), aging.bucket_condition(bucket, today))


def apply_sort(stmt: Select, sort: str, direction: str) -> Select:
    """Order by the chosen column with ``id`` as tie-breaker, matching the sort indexes."""
    return stmt.order_by(*_ordering(sort, direction))


def _ordering(sort: str, direction: str, leading: tuple = ()) -> list:
    """ORDER BY terms: ASC NULLS LAST or DESC NULLS FIRST, then ``id`` the same way.

    Those are PostgreSQL's defaults, so one ascending btree serves both directions (forwards, backwards).
    """
    columns = (*leading, SORTS.get(sort, Account.priority))
    if direction == "asc":
        return [c.asc().nulls_last() for c in columns] + [Account.id.asc()]
    return [c.desc().nulls_first() for c in columns] + [Account.id.desc()]


def list_accounts(viewer: User, filters: WorklistFilters, page: int = 1, size: int = 25) -> Page:
    """One page of the viewer's accounts; fetches one extra row to know whether a next page exists.

    The page's ids are picked in a subquery (an index walk that stops after ``size + 1`` rows, or a top-N
    sort of the matches); needing only ids, it can run on the index alone. Only the page's rows are then
    read and joined to their debtor, collector and creditor (all three shown in each row).
    """
    page_ids = (
        apply_aging(apply_filters(scoped_accounts(viewer), filters), filters.aging, viewer)
        .with_only_columns(Account.id)
        .order_by(*_ordering(filters.sort, filters.direction, _constant_prefix(filters)))
        .offset((page - 1) * size)
        .limit(size + 1)
    )
    stmt = (
        select(Account)
        .where(Account.id.in_(page_ids))
        .options(joinedload(Account.debtor), joinedload(Account.assigned_collector), joinedload(Account.creditor))
    )
    rows = db.session.scalars(apply_sort(stmt, filters.sort, filters.direction)).all()
    return Page(items=list(rows[:size]), number=page, size=size, has_next=len(rows) > size)


def _constant_prefix(filters: WorklistFilters) -> tuple:
    """Columns the filters hold constant without an ``=`` the planner can see.

    ``assigned_collector_id IS NULL`` fixes the column, but only an equality tells the planner so. Ordering
    by the (constant) column first changes no result and lets it walk the (agency, collector, sort, id)
    index instead of scanning the whole agency in sort order.
    """
    return (Account.assigned_collector_id,) if filters.collector_id == UNASSIGNED else ()


def get_timeline(account: Account, page: int = 1, size: int = 15) -> Page:
    """A page of the account's timeline, newest first."""
    stmt = (
        select(Activity)
        .where(Activity.account_id == account.id, Activity.agency_id == account.agency_id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .options(joinedload(Activity.actor))
        .offset((page - 1) * size)
        .limit(size + 1)
    )
    rows = db.session.scalars(stmt).all()
    return Page(items=list(rows[:size]), number=page, size=size, has_next=len(rows) > size)


def count_open_accounts(collector_id: int) -> int:
    """Accounts assigned to the collector that are still being worked (count towards their maximum)."""
    stmt = select(func.count(Account.id)).where(
        Account.assigned_collector_id == collector_id, Account.status.in_(WORKING_STATUSES)
    )
    return db.session.scalar(stmt) or 0


def list_collectors(viewer: User, *, active_only: bool = False) -> list[User]:
    """Collectors of the viewer's agency, by name."""
    stmt = (
        select(User)
        .join(CollectorProfile, CollectorProfile.user_id == User.id)
        .where(User.agency_id == viewer.agency_id, User.role == Role.COLLECTOR)
        .order_by(User.full_name)
    )
    if active_only:
        stmt = stmt.where(User.active.is_(True), CollectorProfile.active.is_(True))
    return list(db.session.scalars(stmt))
