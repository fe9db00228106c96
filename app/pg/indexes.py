"""The index sets that steer PostgreSQL's planner: the worklist's sort indexes and its trigram search index,
and partial indexes written for both databases.

The domain models attach them (``Account.__table_args__``, ``AccountSearch.__table_args__``); the names, columns
and predicates are the schema the migrations built, so ``flask db check`` compares them as they are. SQLite gets
the same btree indexes (its planner uses them too) but not the trigram one.
"""

from sqlalchemy import Index, text

WORKLIST_SORT_COLUMNS = ("priority", "current_balance", "due_date", "last_contact_at", "created_at")
ASSIGNED = text("assigned_collector_id IS NOT NULL")
UNASSIGNED_PLACED = text("assigned_collector_id IS NULL AND status <> 'new'")
# scope: (leading columns, which the query fixes by equalities; extra filter columns checked on the index
# entry; the accounts it holds, None for all)
WORKLIST_SCOPES = {
    "collector": (("assigned_collector_id", "agency_id"), ("status",), ASSIGNED),
    "status": (("agency_id", "status"), (), None),
    "unassigned": (("agency_id",), ("status",), UNASSIGNED_PLACED),
}
WORKLIST_ENTRY_FILTERS = ("priority", "current_balance", "due_date")
SEARCH_INDEX = "ix_account_search_trgm"
SCORE_INDEX = "ix_accounts_collector_score"
# Every column the work score reads (app.accounts.workscore), after the collector's scope and the status
SCORE_COLUMNS = (
    "current_balance",
    "priority",
    "created_at",
    "last_contact_at",
    "next_follow_up_at",
    "plan_broken",
    "contact_blocked_until",
)


def partial_index(name: str, *columns: str, where, **kw) -> Index:
    """An index of the rows for which ``where`` holds, partial on both databases (each reads its own keyword)."""
    return Index(name, *columns, postgresql_where=where, sqlite_where=where, **kw)


def worklist_indexes() -> list[Index]:
    """The accounts indexes the worklist's statements are written for (``app.accounts.worklist``); the search's
    is on its own table (``search_index``)."""
    return [*sort_indexes(), score_index()]


def score_index() -> Index:
    """A collector's accounts with every fact of the work score: their work-score list reads this index alone
    (an index-only scan of a few thousand entries) instead of visiting each account's table page, which cost
    the 5,000-account list twice its time (docs/performance.md). Assigned accounts only, like the collector
    indexes, so an import writes no entry in it."""
    columns = ("assigned_collector_id", "agency_id", "status", "id", *SCORE_COLUMNS)
    return partial_index(SCORE_INDEX, *columns, where=ASSIGNED)


def search_index() -> Index:
    """The trigram index of ``account_search.search_text`` behind the search box's rare terms (PostgreSQL
    only: SQLite has no trigram index and always walks)."""
    index = Index(SEARCH_INDEX, "search_text", postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"})
    return index.ddl_if(dialect="postgresql")


def sort_indexes() -> list[Index]:
    """The worklist indexes: (scope, sort column, id, other filter columns) for each scope and sort column.

    * status: every account. The status filter, which correlates with most sort columns (settled accounts
      have a zero balance, new ones no contact yet), so walking another index and skipping would read a lot
      of it; an admin's list without a status or collector filter, as one walk per status merged in sort
      order (``worklist.page_ids``), which is why there is no (agency, sort) index; and the unassigned ``new``
      accounts, which is what an import creates.
    * collector: assigned accounts only. A collector's own list, an admin's collector filter, open-account
      counts per collector.
    * unassigned: the unassigned accounts that are not ``new`` (closed from new, unassigned by hand), for the
      "Unassigned" filter beside the status index's ``new`` ones.

    So an imported account writes entries in the five status indexes only. Each partial index is a candidate
    only for a query whose conditions imply its predicate, so the admin's per-status walks never cost the
    others' paths when planning. The walk in (sort column, id) order stops after one page. The filter columns
    after ``id`` are checked on the index entry itself, so priority, balance and due-date filters skip index
    entries instead of table rows. The status indexes don't carry the collector (migration 0010): with it,
    PostgreSQL walked a status index for a collector's list with a status filter, skipping every other
    collector's entries, instead of the collector's own index. See docs/performance.md.
    """
    indexes = []
    for scope, (leading, checked, holds) in WORKLIST_SCOPES.items():
        for col in WORKLIST_SORT_COLUMNS:
            trailing = [c for c in (*checked, *WORKLIST_ENTRY_FILTERS) if c != col]
            columns = (*leading, col, "id", *trailing)
            name = f"ix_accounts_{scope}_{col}"
            indexes.append(Index(name, *columns) if holds is None else partial_index(name, *columns, where=holds))
    return indexes
