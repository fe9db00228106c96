"""The worklist's page query: which statement shape answers a request, built once per shape.

Every shape returns the same rows as the plain ``scope AND filters ORDER BY sort, id OFFSET … LIMIT …``; each
is written so that PostgreSQL's plan doesn't hinge on an estimate it can get badly wrong (docs/performance.md):

* **Walk**: the sort index in (sort, id) order, stopping after one page. Without a collector in the scope
  and without a status filter it is a ``UNION ALL`` of one walk per status over the ``(agency_id, status,
  sort, id, …)`` indexes, which PostgreSQL merges in order (Merge Append). So a status ``IN`` list (aging:
  the open statuses) never walks past the other statuses' accounts (the zero balances of settled and
  closed accounts), and an admin's list needs no (agency_id, sort) index.
* **Search**: the term's share of the agency's accounts, counted per status on a small fixed sample of the
  table (kept in memory for a few minutes: ``search_sample``), chooses between the walk (a term common in
  every status walked: a page turns up within a few thousand entries) and the trigram index (a rare term:
  fetch its few matches, then sort them). Each shape hides the other's index from the planner, so its
  estimate of the ``LIKE`` (often 10× off) can't pick the wrong one.

Each shape has one good plan whatever the values bound, so it runs as a prepared statement with a generic
plan (``app.pg.prepare``): planning an admin's eight walks cost ~1 ms, more than running them.

A statement depends only on its ``Shape`` (who looks, which filters are set, sort, plan); the values (agency,
filter values, dates, page) are bound parameters passed at execution. Building and hashing a statement of
eight ``UNION ALL`` branches costs SQLAlchemy about 2 ms, so each shape's statement is built once per process.
"""

from dataclasses import dataclass
from functools import lru_cache, partial

from sqlalchemy import Integer, Select, bindparam, func, literal_column, select, union_all
from sqlalchemy.orm import aliased

from app.accounts import aging
from app.accounts.models import Account
from app.accounts.search_sample import SAMPLES, load_sample, sampled_counts
from app.accounts.states import OPEN_STATUSES, Status
from app.agencyday import local_today
from app.auth.models import Role, User
from app.extensions import db
from app.pg.prepare import generic

SORTS = {
    "priority": Account.priority,
    "balance": Account.current_balance,
    "due_date": Account.due_date,
    "last_contact": Account.last_contact_at,
    "created": Account.created_at,
}
UNASSIGNED = 0  # the collector filter's value for accounts without a collector
# Share of the agency's accounts above which a search walks the sort index instead of using the trigram index:
# the walk reads about 26 / share rows for a page, the trigram index share × accounts; at 1,000,000 accounts
# both are ~5,000 rows at 0.5 %.
TRIGRAM_MAX_SHARE = 0.005
MIN_TRIGRAM_TERM = 3  # shorter terms have no trigram to look up
MIN_SAMPLE = 100  # sampled accounts of a status from which "no match among them" counts as absent
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
    "aging_from": lambda a, p: a.due_date >= p,
    "aging_to": lambda a, p: a.due_date <= p,
    "pattern": lambda a, p: a.search_text.like(p, escape="\\"),
}


@dataclass(frozen=True)
class Shape:
    """What a page statement depends on, apart from the values of its parameters."""

    admin: bool
    filters: tuple[str, ...]  # names in CONDITIONS, without the search
    unassigned: bool
    new_only: bool  # unassigned with the status filter at "new": the status index alone serves it
    aging: str | None  # bucket key
    sort: str
    direction: str
    plan: str | None  # a search: "walk" or "trigram"; None without one


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
    )
    return {name: value for name, value in values.items() if value is not None}


def aging_values(bucket_key: str | None, viewer: User) -> dict:
    """``aging_from`` / ``aging_to``: the due dates of the bucket in the agency's calendar (none for no due date)."""
    bucket = aging.BY_KEY.get(bucket_key or "")
    if bucket is None or bucket.key == "no_due_date":
        return {}
    earliest, latest = aging.due_bounds(bucket, local_today(viewer.agency.timezone))
    return {name: day for name, day in dict(aging_from=earliest, aging_to=latest).items() if day is not None}


def conditions(names, *, unassigned: bool = False, aging_key: str | None = None, rows=Account) -> list:
    """The WHERE terms on ``rows`` of the named filters, each on a bound parameter of its name (values come at
    execution)."""
    terms = [CONDITIONS[name](rows, bindparam(name, required=True)) for name in names]
    if unassigned:
        terms.append(rows.assigned_collector_id.is_(None))
    if aging_key in aging.BY_KEY:
        terms.append(rows.status.in_(sorted(OPEN_STATUSES)))
    if aging_key == "no_due_date":
        terms.append(rows.due_date.is_(None))
    return terms


def like_pattern(term: str) -> str:
    """The ``LIKE`` pattern of a search term: a case-insensitive substring of ``search_text``."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page_query(viewer: User, filters, offset: int, limit: int, *, plan: str | None = None) -> tuple[Select, dict]:
    """The statement selecting the ids of rows ``offset … offset + limit`` (in sort order), and its parameters.

    A search is answered by ``plan``, "walk" or "trigram" (both give the same rows); by default
    ``search_plan`` chooses.
    """
    if filters.q:
        walked = branch_statuses(shape_of(viewer, filters)) or [s for s in [filters.status] if s is not None]
        plan = plan or search_plan(viewer, filters.q, walked)
    values = _values(viewer, filters) | dict(offset=offset, limit=limit, window=offset + limit)
    return page_ids(shape_of(viewer, filters, plan)), values


def shape_of(viewer: User, filters, plan: str | None = None) -> Shape:
    """The shape of the statement answering ``filters`` for ``viewer`` (``plan``: a search's)."""
    names = _values(viewer, filters).keys() - {"term", "pattern", "agency_id", "viewer_id"}
    return Shape(
        admin=viewer.role == Role.ADMIN,
        filters=tuple(sorted(names)),
        unassigned=filters.collector_id == UNASSIGNED,
        new_only=filters.collector_id == UNASSIGNED and filters.status == Status.NEW,
        aging=filters.aging if filters.aging in aging.BY_KEY else None,
        sort=filters.sort if filters.sort in SORTS else "priority",
        direction="asc" if filters.direction == "asc" else "desc",
        plan=(plan or "walk") if filters.q else None,
    )


def _values(viewer: User, filters) -> dict:
    values = filter_values(filters) | aging_values(filters.aging, viewer)
    if filters.q:
        values |= {"term": filters.q.lower(), "pattern": like_pattern(filters.q)}
    return values | dict(agency_id=viewer.agency_id, viewer_id=viewer.id)


def search_plan(viewer: User, term: str, walked: list[Status] = ()) -> str:
    """``"trigram"`` for a term rare in the agency, ``"walk"`` otherwise (and wherever there is no trigram index).

    ``walked``: the statuses a walk would go through (one by one, or the status filter's). A status in which
    the sample finds the term not at all would be walked to its end (every entry read from the table), so
    that too means "trigram". The sample is this process's copy, at most ``SAMPLE_TTL`` old (``search_sample``).
    """
    if db.engine.dialect.name != "postgresql" or len(term) < MIN_TRIGRAM_TERM:
        return "walk"
    sample = SAMPLES.get(viewer.agency_id, partial(load_sample, viewer.agency_id))
    return choose_plan(sampled_counts(sample, term), walked)


def choose_plan(sampled: dict[Status, tuple[int, int]], walked=()) -> str:
    """The search plan for sampled (matching, all) accounts per status; see ``search_plan``."""
    hits, rows = sum(h for h, _ in sampled.values()), sum(n for _, n in sampled.values())
    absent = any(sampled.get(s, (0, 0))[1] >= MIN_SAMPLE and not sampled[s][0] for s in walked)
    return "trigram" if absent or hits <= TRIGRAM_MAX_SHARE * rows else "walk"


def _contains(column):
    """The column contains ``:term``, written so that PostgreSQL walks the sort index to find it.

    ``strpos(…) > 0`` matches exactly what ``LIKE '%term%'`` matches (both sides are lower-cased), but no
    index serves it and the planner assumes it keeps a third of the rows, so it never trades the walk for
    a scan of the whole scope and a sort (it would, for a ``LIKE`` it believed rare).
    """
    position = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    return position(column, bindparam("term", required=True)) > 0


@lru_cache(maxsize=2048)
def page_ids(shape: Shape) -> Select:
    """The ids of one page for ``shape``, in its sort order (parameters as ``page_query`` gives them)."""
    window = bindparam("window", type_=Integer, required=True)
    if shape.plan == "trigram":
        ranked = _sorted_matches(shape, window)
    else:
        base = _filtered(Account, shape)
        ranked = _walk(base.where(_contains(Account.search_text)) if shape.plan else base, shape, window)
    ranked = ranked.subquery()
    stmt = select(ranked.c.id).order_by(*_order(ranked, shape.direction))
    return generic(stmt.offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer)))


def _filtered(rows, shape: Shape) -> Select:
    """The ids of ``rows`` (accounts, or an alias of them) in the viewer's scope that pass the shape's filters."""
    terms = conditions(shape.filters, unassigned=shape.unassigned, aging_key=shape.aging, rows=rows)
    return select(rows.id).where(*_scope(shape.admin, rows), *terms)


def _scope(admin: bool, rows=Account) -> list:
    scope = [rows.agency_id == bindparam("agency_id", required=True)]
    return scope if admin else [*scope, rows.assigned_collector_id == bindparam("viewer_id", required=True)]


def branch_statuses(shape: Shape) -> list[Status]:
    """The statuses to walk one by one, or [] when one walk serves (a status filter, or a collector's scope)."""
    if "status" in shape.filters or not shape.admin or "collector_id" in shape.filters or shape.unassigned:
        return []
    return [s for s in Status if s in OPEN_STATUSES] if shape.aging else list(Status)


def _walk(base: Select, shape: Shape, window) -> Select:
    """The first ``window`` (id, sort key) of ``base`` walking the sort index(es)."""
    if shape.unassigned:
        return _unassigned_walk(base, shape, window)
    statuses = branch_statuses(shape)
    if not statuses:
        return _ranked(base, shape, window)
    return _merged([_ranked(base.where(Account.status == s), shape, window) for s in statuses], shape, window)


def _unassigned_walk(base: Select, shape: Shape, window) -> Select:
    """Unassigned accounts: the new ones walk the status index, the others the unassigned index (see
    ``models._sort_indexes``); merged without a status filter.

    ``status <> 'new'`` is written as a literal so that the planner can match the unassigned index's predicate.
    """
    fresh = _ranked(base.where(Account.status == Status.NEW), shape, window)
    if shape.new_only:
        return fresh
    placed = _ranked(base.where(Account.status != literal_column("'new'")), shape, window)
    return placed if "status" in shape.filters else _merged([fresh, placed], shape, window)


def _merged(walks: list[Select], shape: Shape, window) -> Select:
    """The first ``window`` of several walks, merged in (sort, id) order."""
    branches = [walk.subquery() for walk in walks]
    merged = union_all(*[select(b.c.id, b.c.sort_key) for b in branches]).subquery()
    return select(merged.c.id, merged.c.sort_key).order_by(*_order(merged, shape.direction)).limit(window)


def _ranked(base: Select, shape: Shape, window) -> Select:
    """(id, sort key) of ``base`` in (sort, id) order, the first ``window``: a walk of the matching sort index."""
    key = SORTS[shape.sort]
    stmt = base.with_only_columns(Account.id, key.label("sort_key"))
    return stmt.order_by(*order_terms((key, Account.id), shape.direction)).limit(window)


def _sorted_matches(shape: Shape, window) -> Select:
    """(id, sort key) of the search's matches in scope, the first ``window`` by (sort, id), sorted rather than
    walked.

    The matches are read first, through the trigram index alone: a ``MATERIALIZED`` CTE, so that no scope or
    filter index can be combined with it (a generic plan, which doesn't know how rare the term is, intersected
    it with the collector's whole book). Filters and scope are then checked on those rows, and they are sorted.
    """
    pattern = CONDITIONS["pattern"](Account, bindparam("pattern", required=True))
    matches = aliased(Account, select(Account).where(pattern).cte("matches").prefix_with("MATERIALIZED"))
    key = getattr(matches, SORTS[shape.sort].key)
    stmt = _filtered(matches, shape).with_only_columns(matches.id, key.label("sort_key"))
    return stmt.order_by(*order_terms((key, matches.id), shape.direction)).limit(window)


def _order(selectable, direction: str) -> list:
    return order_terms((selectable.c.sort_key, selectable.c.id), direction)


def order_terms(columns: tuple, direction: str) -> list:
    """ASC NULLS LAST or DESC NULLS FIRST for every column: PostgreSQL's defaults, so one ascending btree
    serves both directions (walked forwards or backwards)."""
    if direction == "asc":
        return [c.asc().nulls_last() for c in columns]
    return [c.desc().nulls_first() for c in columns]
