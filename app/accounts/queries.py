"""Read-only account queries, always scoped to the viewer's agency (and, for collectors, to their accounts)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import Account, Activity, Creditor
from app.accounts.states import WORKING_STATUSES, Status
from app.accounts.worklist import list_rows, matching, page_query
from app.accounts.worklist_filters import SORTS, after, order_terms
from app.accounts.worklist_filters import UNASSIGNED as UNASSIGNED  # re-exported for the forms
from app.accounts.workscore import factor_points
from app.auth.models import Role, User
from app.collectors.models import CollectorProfile
from app.debtors.models import Debtor
from app.errors import NotFound
from app.extensions import db
from app.paging import Page, Total, count_total, offset, page_of, paginate
from app.pg.prepare import generic
from app.pg.rls import agency_filtered
from app.timeutil import utcnow


@dataclass
class WorklistFilters:
    status: Status | None = None
    priority: int | None = None
    collector_id: int | None = None  # UNASSIGNED (0) selects accounts without a collector
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    due_from: date | None = None
    due_to: date | None = None
    created_from: datetime | None = None  # the API's created_after / created_before
    created_to: datetime | None = None
    q: str = ""
    aging: str | None = None  # an aging bucket key: open accounts in that bucket as of the agency's today
    open_only: bool = False  # the open statuses only (not settled or closed)
    plan: str | None = (
        None  # "due_today" (a promise or instalment due today) or "broken" (worklist_filters.PLAN_FILTERS)
    )
    sort: str = "priority"
    direction: str = "desc"


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


def apply_sort(stmt: Select, sort: str, direction: str) -> Select:
    """Order by the chosen column with ``id`` as tie-breaker (ASC NULLS LAST or DESC NULLS FIRST)."""
    return stmt.order_by(*order_terms((SORTS.get(sort, Account.priority), Account.id), direction))


# What a worklist row shows of the account (the template reads them by these names).
ROW_COLUMNS = (
    Account.id,
    Account.external_ref,
    Account.status,
    Account.priority,
    Account.current_balance,
    Account.due_date,
    Account.last_contact_at,
    Account.creditor_id,
    Account.assigned_collector_id,
    Account.original_amount,
    Account.created_at,
)


def list_accounts(
    viewer: User, filters: WorklistFilters, page: int = 1, size: int = 25, *, following: tuple | None = None
) -> Page:
    """One page of the viewer's accounts, as rows of ``ROW_COLUMNS`` and ``debtor_name``, ``creditor_name`` and
    ``collector_name``; fetches one extra row to know whether a next page exists. With ``following`` (the sort
    value and id of a row), the page is the ``size`` rows after that row (a keyset page; ``page`` is then 1).

    The page's ids are picked first (``worklist.page_query``: an index walk that stops after the page, or a
    sort of a rare search term's matches), then only those rows are read.
    """
    ids, values = page_query(viewer, filters, offset(page, size), size + 1, following=following)
    rows = db.session.execute(_page_rows(ids, filters.sort, filters.direction), values).all()
    return page_of(rows, page, size)


def count_accounts(viewer: User, filters: WorklistFilters) -> Total:
    """How many accounts the viewer's list holds with ``filters`` (exact where cheap: ``paging.count_total``)."""
    terms, values = matching(viewer, filters)
    return count_total(select(Account.id).where(*terms), values)


@lru_cache(maxsize=2048)
def _page_rows(ids: Select, sort: str, direction: str) -> Select:
    """The page's rows (built once per page statement and sort), prepared with a generic plan (``app.pg.prepare``).

    Plain rows, not ``Account`` entities, and the three names as scalar subqueries: joining debtors, creditors
    and users cost PostgreSQL ~0.8 ms of planning on every request (more than reading the 26 names), and
    building entities with three joined relationships cost SQLAlchemy about as much again.
    """
    names = (
        _name(Debtor.full_name, Debtor.id == Account.debtor_id).label("debtor_name"),
        _name(Creditor.name, Creditor.id == Account.creditor_id).label("creditor_name"),
        _name(User.full_name, User.id == Account.assigned_collector_id).label("collector_name"),
    )
    stmt = select(*ROW_COLUMNS, *names, *(_score_columns() if sort == "score" else ())).where(Account.id.in_(ids))
    return generic(agency_filtered(apply_sort(stmt, sort, direction)))  # ids and names: the viewer's agency's


def _score_columns() -> list:
    """What the "why this order" line reads: each factor's points (``pt_<factor>``) and the facts it words."""
    points = [p.label(f"pt_{name}") for name, p in factor_points(Account).items()]
    return [*points, Account.next_follow_up_at, Account.created_at, Account.contact_blocked_until]


def next_account_id(viewer: User, filters: WorklistFilters, account_id: int, skip=()) -> int | None:
    """The account after ``account_id`` in the viewer's list with ``filters``, in the list's order as it stands
    (call it before an action that changes the account's place) and not in ``skip``, or None at the end or
    outside the list."""
    rows, key, direction, values = list_rows(viewer, filters)
    current = db.session.execute(rows.with_only_columns(key).where(Account.id == account_id), values).first()
    if current is None:
        return None
    following = rows.where(after(key, current[0], account_id, direction))
    following = following.where(Account.id.not_in(skip)) if skip else following
    following = following.where(contactable(utcnow()))  # "next" goes to someone the collector may contact now
    return db.session.scalar(following.order_by(*order_terms((key, Account.id), direction)).limit(1), values)


def contactable(now: datetime):
    """Accounts the contact guard did not block at ``now`` (``Account.contact_blocked_until``)."""
    return or_(Account.contact_blocked_until.is_(None), Account.contact_blocked_until <= now)


def _name(column, on):
    return select(column).where(on).scalar_subquery()


def timeline_statement(account: Account) -> Select:
    """The account's timeline entries (unordered), with their authors loaded."""
    stmt = select(Activity).where(Activity.account_id == account.id, Activity.agency_id == account.agency_id)
    return stmt.options(joinedload(Activity.actor))


def get_timeline(account: Account, page: int = 1, size: int = 15) -> Page:
    """A page of the account's timeline, newest first."""
    stmt = timeline_statement(account).order_by(Activity.created_at.desc(), Activity.id.desc())
    return paginate(stmt, page, size)


def count_open_accounts(collector_id: int) -> int:
    """Accounts assigned to the collector that are still being worked (count towards their maximum)."""
    stmt = select(func.count(Account.id)).where(
        Account.assigned_collector_id == collector_id, Account.status.in_(WORKING_STATUSES)
    )
    return db.session.scalar(stmt) or 0


def list_collectors(viewer: User, *, active_only: bool = False) -> list[User]:
    """Collectors of the viewer's agency, by name, with their collector profile loaded (one query)."""
    stmt = (
        select(User)
        .join(CollectorProfile, CollectorProfile.user_id == User.id)
        .options(contains_eager(User.collector_profile))
        .where(User.agency_id == viewer.agency_id, User.role == Role.COLLECTOR)
        .order_by(User.full_name)
    )
    if active_only:
        stmt = stmt.where(User.active.is_(True), CollectorProfile.active.is_(True))
    return list(db.session.scalars(stmt))


def count_open_accounts_of(collector_ids: list[int]) -> dict[int, int]:
    """``count_open_accounts`` of several collectors in one query: {collector id: open accounts}."""
    stmt = (
        select(Account.assigned_collector_id, func.count(Account.id))
        .where(Account.assigned_collector_id.in_(collector_ids), Account.status.in_(WORKING_STATUSES))
        .group_by(Account.assigned_collector_id)
    )
    counts = dict(db.session.execute(stmt).all())
    return {collector_id: counts.get(collector_id, 0) for collector_id in collector_ids}


def account_labels(agency_id: int, ids: set[str]) -> dict[str, str]:
    """``{account id: "account <reference>"}`` for the audit log (ids as the audit trail stores them)."""
    numbers = [int(i) for i in ids if i.isdigit()]
    stmt = select(Account.id, Account.external_ref).where(Account.agency_id == agency_id, Account.id.in_(numbers))
    return {str(i): f"account {ref}" for i, ref in db.session.execute(stmt)}


def account_entities(agency_id: int, ref: str) -> list[tuple[str, str]]:
    """The audit entity of the agency's account with reference ``ref`` (none when there is no such account)."""
    stmt = select(Account.id).where(Account.agency_id == agency_id, Account.external_ref == ref)
    return [("account", str(i)) for i in db.session.scalars(stmt)]


@dataclass
class SameDebtor:
    """The debtor's other accounts that the viewer may see, and the balance of those and this one together."""

    accounts: list
    others: int  # all of them, listed or not
    combined_balance: Decimal


SAME_DEBTOR_LIMIT = 50  # listed on the card; the combined balance counts them all


def get_same_debtor(viewer: User, account: Account) -> SameDebtor:
    """The other accounts of ``account``'s debtor in the viewer's scope (a collector: only their own), newest
    placement first, with the combined balance of the debtor's accounts the viewer may see."""
    mine = scoped_accounts(viewer).where(Account.debtor_id == account.debtor_id, Account.id != account.id)
    columns = (Account.id, Account.external_ref, Account.status, Account.current_balance, Account.creditor_id)
    creditor = _name(Creditor.name, Creditor.id == Account.creditor_id).label("creditor_name")
    rows = db.session.execute(
        mine.with_only_columns(*columns, creditor).order_by(Account.id.desc()).limit(SAME_DEBTOR_LIMIT)
    ).all()
    count, balance = db.session.execute(mine.with_only_columns(func.count(), func.sum(Account.current_balance))).one()
    return SameDebtor(rows, count, account.current_balance + (balance or 0))
