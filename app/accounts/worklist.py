"""The worklist's page query: which statement shape answers a request, built once per shape.

Every shape returns the same rows as the plain ``scope AND filters ORDER BY sort, id OFFSET … LIMIT …``; each
is written so that PostgreSQL's plan doesn't hinge on an estimate it can get badly wrong (docs/performance.md):

* **Walk**: the sort index in (sort, id) order, stopping after one page. Without a collector in the scope
  and without a status filter it is a ``UNION ALL`` of one walk per status over the ``(agency_id, status,
  sort, id, …)`` indexes, which PostgreSQL merges in order (Merge Append). So a status ``IN`` list (aging:
  the open statuses) never walks past the other statuses' accounts (the zero balances of settled and
  closed accounts), and an admin's list needs no (agency_id, sort) index.
* **Search**: a walk that checks each entry for the term, or the term's matches read first and sorted;
  ``app.pg.worklist`` chooses (on the agency's sample, kept in memory: ``search_sample``) and writes the
  SQL that keeps PostgreSQL on the plan chosen.

Each shape has one good plan whatever the values bound, so it runs as a prepared statement with a generic
plan (``app.pg.prepare``): planning an admin's eight walks costs more than running them. It filters by the
viewer's agency itself, so it runs as the reader role that row-level security lets through (``app.pg.rls``),
keeping its index conditions.

A statement depends only on its ``Shape`` (who looks, which filters are set, sort, plan); the values (agency,
filter values, dates, page) are bound parameters passed at execution. Building and hashing a statement of
eight ``UNION ALL`` branches costs SQLAlchemy more than running it, so each shape's statement is built once
per process.
"""

from dataclasses import dataclass, replace
from functools import lru_cache, partial

from sqlalchemy import Integer, Select, bindparam, literal_column, select, union_all
from sqlalchemy.orm import aliased

from app.accounts import aging
from app.accounts.models import Account
from app.accounts.search_sample import sampled_term_counts
from app.accounts.states import OPEN_STATUSES, Status
from app.accounts.worklist_filters import (
    CONDITIONS,
    SCORE_PARAMS,
    SORTS,
    UNASSIGNED,
    after,
    aging_values,
    conditions,
    filter_values,
    like_pattern,
    matches_term,
    order_terms,
    plan_values,
)
from app.accounts.workscore import score_values
from app.auth.models import Role, User
from app.pg import worklist as pg_worklist
from app.pg.prepare import generic
from app.pg.rls import agency_filtered


@dataclass(frozen=True)
class Shape:
    """What a page statement depends on, apart from the values of its parameters."""

    admin: bool
    filters: tuple[str, ...]  # names in CONDITIONS, without the search
    unassigned: bool
    new_only: bool  # unassigned with the status filter at "new": the status index alone serves it
    aging: str | None  # bucket key
    open_only: bool  # the open statuses only (the worklist's default)
    plan_broken: bool  # accounts whose latest promise or plan is broken
    sort: str
    direction: str
    plan: str | None  # a search: "walk" or "trigram"; None without one
    keyset: str | None = None  # rows after a given one: "value" (its sort value is set) or "null"; None: from the top


def page_query(
    viewer: User, filters, offset: int, limit: int, *, plan: str | None = None, following: tuple | None = None
) -> tuple[Select, dict]:
    """The statement selecting the ids of rows ``offset … offset + limit`` (in sort order), and its parameters;
    with ``following`` = (sort value, id) of a row, only the rows after that one count (a keyset page).

    A search is answered by ``plan``, "walk" or "trigram" (both give the same rows); by default
    ``search_plan`` chooses.
    """
    if filters.q and filters.sort == "score":
        plan = "walk"  # the score reads the whole scope anyway: the term is checked on each row
    elif filters.q:
        walked = branch_statuses(shape_of(viewer, filters)) or [s for s in [filters.status] if s is not None]
        plan = plan or search_plan(viewer, filters.q, walked)
    values = _values(viewer, filters) | dict(offset=offset, limit=limit, window=offset + limit)
    shape = shape_of(viewer, filters, plan)
    if following is not None:
        shape = replace(shape, keyset="null" if following[0] is None else "value")
        values |= dict(after_id=following[1]) | ({} if following[0] is None else dict(after_value=following[0]))
    return page_ids(shape), values


def shape_of(viewer: User, filters, plan: str | None = None) -> Shape:
    """The shape of the statement answering ``filters`` for ``viewer`` (``plan``: a search's)."""
    names = _values(viewer, filters).keys() - {"term", "pattern", "agency_id", "viewer_id", *SCORE_PARAMS}
    return Shape(
        admin=viewer.role == Role.ADMIN,
        filters=tuple(sorted(names)),
        unassigned=filters.collector_id == UNASSIGNED,
        new_only=filters.collector_id == UNASSIGNED and filters.status == Status.NEW,
        aging=filters.aging if filters.aging in aging.BY_KEY else None,
        open_only=filters.open_only,
        plan_broken=filters.plan == "broken",
        sort=filters.sort if filters.sort in SORTS else "priority",
        direction="asc" if filters.direction == "asc" else "desc",
        plan=(plan or "walk") if filters.q else None,
    )


def _values(viewer: User, filters) -> dict:
    values = filter_values(filters) | aging_values(filters.aging, viewer) | plan_values(filters.plan, viewer)
    if filters.q:
        values |= {"term": filters.q.lower(), "pattern": like_pattern(filters.q)}
    if filters.sort == "score":
        values |= score_values(viewer.agency.work_score_weights, viewer.agency.timezone)
    return values | dict(agency_id=viewer.agency_id, viewer_id=viewer.id)


def search_plan(viewer: User, term: str, walked: list[Status] = ()) -> str:
    """How a search runs, "walk" or "trigram" (``app.pg.worklist.search_plan``), weighed on the agency's sample
    (this process's copy, at most ``SAMPLE_TTL`` old: ``search_sample``)."""
    return pg_worklist.search_plan(term, walked, partial(sampled_term_counts, viewer.agency_id, term))


def matching_ids(viewer: User, filters) -> tuple[Select, dict]:
    """The ids of every account the list shows for ``filters`` (unsorted, unpaged), and its parameters: what a
    bulk action's "all matching these filters" re-runs on the server."""
    stmt = _filtered(Account, shape_of(viewer, filters))
    if filters.q:
        stmt = stmt.where(pg_worklist.contains(Account.search_text, bindparam("term", required=True)))
    return stmt, _values(viewer, filters)


@lru_cache(maxsize=2048)
def page_ids(shape: Shape) -> Select:
    """The ids of one page for ``shape``, in its sort order (parameters as ``page_query`` gives them)."""
    window = bindparam("window", type_=Integer, required=True)
    if shape.plan == "trigram":
        ranked = _sorted_matches(shape, window)
    else:
        base = _filtered(Account, shape).where(*_keyset(shape, Account))
        searched = base.where(_search())
        ranked = _walk(searched if shape.plan else base, shape, window)
    ranked = ranked.subquery()
    stmt = select(ranked.c.id).order_by(*_order(ranked, shape.direction))
    stmt = stmt.offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer))
    return generic(agency_filtered(stmt))  # every branch is filtered by ``_scope``


def _filtered(rows, shape: Shape) -> Select:
    """The ids of ``rows`` (accounts, or an alias of them) in the viewer's scope that pass the shape's filters."""
    return select(rows.id).where(*_scope(shape.admin, rows), *_shape_terms(shape, rows))


def _shape_terms(shape: Shape, rows=Account) -> list:
    """The conditions of the shape's filters on ``rows`` (without the scope and the search)."""
    flags = dict(aging_key=shape.aging, open_only=shape.open_only, plan_broken=shape.plan_broken)
    return conditions(shape.filters, unassigned=shape.unassigned, rows=rows, **flags)


def _scope(admin: bool, rows=Account) -> list:
    scope = [rows.agency_id == bindparam("agency_id", required=True)]
    return scope if admin else [*scope, rows.assigned_collector_id == bindparam("viewer_id", required=True)]


def branch_statuses(shape: Shape) -> list[Status]:
    """The statuses to walk one by one, or [] when one walk serves (a status filter, or a collector's scope)."""
    one_walk = "status" in shape.filters or not shape.admin or "collector_id" in shape.filters or shape.unassigned
    # The plan filters select few accounts, read from their partial indexes and sorted: no walk per status
    one_walk = one_walk or shape.plan_broken or "plan_due" in shape.filters
    if one_walk or shape.sort == "score":
        return []
    return [s for s in Status if s in OPEN_STATUSES] if shape.aging or shape.open_only else list(Status)


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
    ``app.pg.indexes.sort_indexes``); merged without a status filter.

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
    walked: the matches are read first (``app.pg.worklist.matches_first``; a collector's own only, by the
    copy's collector), then scope and filters are checked on those rows, and they are sorted."""
    collector = None if shape.admin else bindparam("viewer_id", required=True)
    pattern = matches_term(Account, bindparam("pattern", required=True), collector)
    matches = aliased(Account, pg_worklist.matches_first(select(Account).where(pattern), "matches"))
    key = getattr(matches, SORTS[shape.sort].key)
    stmt = _filtered(matches, shape).where(*_keyset(shape, matches))
    stmt = stmt.with_only_columns(matches.id, key.label("sort_key"))
    return stmt.order_by(*order_terms((key, matches.id), shape.direction)).limit(window)


def list_rows(viewer: User, filters) -> tuple[Select, object, str, dict]:
    """The ids of the viewer's list with ``filters`` (unordered), its sort key, direction and parameters: what
    "the account after this one" is computed on (``queries.next_account_id``)."""
    shape = shape_of(viewer, filters, "walk" if filters.q else None)
    rows = _filtered(Account, shape)
    return rows.where(_search()) if filters.q else rows, SORTS[shape.sort], shape.direction, _values(viewer, filters)


def _search():
    return pg_worklist.contains(Account.search_text, bindparam("term", required=True))


def _keyset(shape: Shape, rows) -> list:
    """The condition "after the cursor's row" on ``rows`` (accounts or the trigram matches), as ``page_query``
    binds it; none without a cursor."""
    if shape.keyset is None:
        return []
    key = getattr(rows, SORTS[shape.sort].key)
    value = None if shape.keyset == "null" else bindparam("after_value", type_=key.type, required=True)
    return [after(key, value, bindparam("after_id", type_=Integer, required=True), shape.direction, rows.id)]


def _order(selectable, direction: str) -> list:
    return order_terms((selectable.c.sort_key, selectable.c.id), direction)


def matching(viewer: User, filters) -> tuple[list, dict]:
    """The WHERE terms selecting every account the list shows (scope, filters, the search as a plain ``LIKE``)
    and their parameters: for reads of the whole list (its total, its export) rather than of one page."""
    shape = shape_of(viewer, filters)
    terms = _shape_terms(shape)
    if filters.q:
        terms.append(CONDITIONS["pattern"](Account, bindparam("pattern", required=True)))
    return [*_scope(shape.admin), *terms], _values(viewer, filters)
