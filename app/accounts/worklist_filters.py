"""The worklist's vocabulary: its sorts, its filters as SQL conditions and their bound values, and its order
(``order_terms``, ``after``: the rows past a given one). The page statements (``app.accounts.worklist``), the
whole-list reads (totals, exports, bulk selections) and the API's cursors all state a filter or the order here."""

from sqlalchemy import and_, bindparam, or_

from app.accounts import aging
from app.accounts.models import Account, AccountSearch
from app.accounts.states import OPEN_STATUSES
from app.accounts.workscore import score, score_values
from app.agencyday import local_today
from app.auth.models import User
from app.pg import worklist as pg_worklist

SORTS = {
    "priority": Account.priority,
    "balance": Account.current_balance,
    "due_date": Account.due_date,
    "last_contact": Account.last_contact_at,
    "created": Account.created_at,
    "score": score(Account),  # computed over the scope, not walked (app.accounts.workscore)
}
SCORE_PARAMS = frozenset(score_values(None, "UTC"))  # bound parameters of the score, not filters
UNASSIGNED = 0  # the collector filter's value for accounts without a collector
# Filter name -> its condition on the rows ``a`` (the accounts table or the trigram matches) and a bound
# parameter ``p`` of that name.
CONDITIONS = {
    "status": lambda a, p: a.status == p,
    "priority": lambda a, p: a.priority == p,
    "collector_id": lambda a, p: a.assigned_collector_id == p,
    "balance_min": lambda a, p: a.current_balance >= p,
    "balance_max": lambda a, p: a.current_balance <= p,
    "due_from": lambda a, p: a.due_date >= p,
    "due_to": lambda a, p: a.due_date <= p,
    "created_from": lambda a, p: a.created_at >= p,
    "created_to": lambda a, p: a.created_at <= p,
    "aging_from": lambda a, p: a.due_date >= p,
    "aging_to": lambda a, p: a.due_date <= p,
    "pattern": lambda a, p: matches_term(a, p),
    "plan_due": lambda a, p: a.plan_due_on == p,  # a promise or instalment due that day (the agency's today)
}
PLAN_FILTERS = ("due_today", "broken")  # the plan filter's values (``app.plans`` keeps the columns they read)


def matches_term(rows, pattern, collector=None):
    """``rows`` (accounts or an alias) whose search text is ``LIKE pattern``; on PostgreSQL read through the
    trigram-indexed copy (``AccountSearch``), only ``collector``'s matches when one is given."""
    mine = [] if collector is None else [AccountSearch.assigned_collector_id == collector]
    indexed = (AccountSearch.account_id, AccountSearch.search_text)
    return pg_worklist.like(rows.search_text, pattern, rows.id, indexed, *mine)


def filter_values(filters) -> dict:
    """The filters in use but the search as {parameter name: value}, by CONDITIONS' names."""
    values = dict(
        status=filters.status,
        priority=filters.priority,
        collector_id=filters.collector_id or None,
        balance_min=filters.balance_min,
        balance_max=filters.balance_max,
        due_from=filters.due_from,
        due_to=filters.due_to,
        created_from=filters.created_from,
        created_to=filters.created_to,
    )
    return {name: value for name, value in values.items() if value is not None}


def aging_values(bucket_key: str | None, viewer: User) -> dict:
    """``aging_from`` / ``aging_to``: the due dates of the bucket in the agency's calendar (none for no due date)."""
    bucket = aging.BY_KEY.get(bucket_key or "")
    if bucket is None or bucket.key == "no_due_date":
        return {}
    earliest, latest = aging.due_bounds(bucket, local_today(viewer.agency.timezone))
    return {name: day for name, day in dict(aging_from=earliest, aging_to=latest).items() if day is not None}


def plan_values(plan: str | None, viewer: User) -> dict:
    """``plan_due``: the agency's today, for "promise due today"."""
    return {"plan_due": local_today(viewer.agency.timezone)} if plan == "due_today" else {}


def conditions(
    names,
    *,
    unassigned: bool = False,
    aging_key: str | None = None,
    open_only: bool = False,
    plan_broken: bool = False,
    rows=Account,
) -> list:
    """The WHERE terms on ``rows`` of the named filters, each on a bound parameter of its name (values come at
    execution)."""
    terms = [CONDITIONS[name](rows, bindparam(name, required=True)) for name in names]
    if plan_broken:
        terms.append(rows.plan_broken)  # bare, so that PostgreSQL matches the partial index's predicate
    if unassigned:
        terms.append(rows.assigned_collector_id.is_(None))
    if aging_key in aging.BY_KEY or open_only:
        terms.append(rows.status.in_(sorted(OPEN_STATUSES)))
    if aging_key == "no_due_date":
        terms.append(rows.due_date.is_(None))
    return terms


def like_pattern(term: str) -> str:
    """The ``LIKE`` pattern of a search term: a case-insensitive substring of ``search_text``."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def after(key, value, account_id, direction: str, ident=Account.id):
    """The rows after (``value``, ``account_id``) in ``order_terms`` order (nulls first descending, last
    ascending); ``ident`` is the rows' id column."""
    if direction == "asc":
        if value is None:
            return and_(key.is_(None), ident > account_id)
        return or_(key > value, and_(key == value, ident > account_id), key.is_(None))
    if value is None:
        return or_(and_(key.is_(None), ident < account_id), key.is_not(None))
    return or_(key < value, and_(key == value, ident < account_id))


def order_terms(columns: tuple, direction: str) -> list:
    """ASC NULLS LAST or DESC NULLS FIRST for every column: PostgreSQL's defaults, so one ascending btree
    serves both directions (walked forwards or backwards)."""
    if direction == "asc":
        return [c.asc().nulls_last() for c in columns]
    return [c.desc().nulls_first() for c in columns]
