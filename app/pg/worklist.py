"""How PostgreSQL runs the worklist's page statements: which plan a search takes, and the SQL that keeps the
planner on it. ``app.accounts.worklist`` states what a page holds and calls in here for the rest.

A search has two plans that return the same rows: **walk** the sort index and check each entry for the term
(a term common in every status walked finds a page within a few thousand entries), or read the term's few
matches through the trigram index and sort them (a rare term). The term's share of the agency's accounts,
counted per status on a small fixed sample of the table (``sample_of``; the domain keeps the sample in
memory), chooses. Each statement hides the other plan's index from the planner, whose estimate of a
``LIKE`` is often ten times off, so that estimate can't pick the wrong one. SQLite always walks.
"""

from collections.abc import Callable, Hashable, Iterable

from sqlalchemy import Select, bindparam, func, literal_column, select, tablesample
from sqlalchemy.sql import FromClause

from app.pg import active
from app.pg.sql import position

# Share of the agency's accounts above which a search walks the sort index instead of using the trigram index:
# the walk reads about 26 / share rows for a page, the trigram index share × accounts, so the two cost the
# same where share² = 26 / accounts (about 0.5 % at the scale the design aims at).
TRIGRAM_MAX_SHARE = 0.005
MIN_TRIGRAM_TERM = 3  # shorter terms have no trigram to look up
# Matches the term's share of the sample predicts among a status's sampled accounts before finding none there
# means the status has none (by chance: e^-5, under 1%)
MIN_EXPECTED = 5
SAMPLE_PERCENT = 0.25  # of the table's pages, always the same ones (REPEATABLE)

Counts = dict[Hashable, tuple[int, int]]  # (matching, all) sampled accounts per status


def search_plan(term: str, walked: Iterable[Hashable], counts: Callable[[], Counts]) -> str:
    """``"trigram"`` for a term rare in the agency, ``"walk"`` otherwise (and wherever there is no trigram index).

    ``walked``: the statuses a walk would go through (one by one, or the status filter's). ``counts``: the
    sample's (matching, all) accounts per status, asked for only when there is a choice to make.
    """
    if not active() or len(term) < MIN_TRIGRAM_TERM:
        return "walk"
    return choose_plan(counts(), walked)


def choose_plan(sampled: Counts, walked: Iterable[Hashable] = ()) -> str:
    """The search plan for sampled (matching, all) accounts per status.

    A status without the term would be walked to its end (every entry read from the table), so one in which
    the sample finds it not at all, though its share predicts ``MIN_EXPECTED`` matches, means "trigram" too. A
    smaller expectation is chance: a term of 3% is missing from a status's 116 sampled accounts one time in 30.
    """
    hits, rows = sum(h for h, _ in sampled.values()), sum(n for _, n in sampled.values())
    share = hits / rows if rows else 0
    absent = any(not h and n * share >= MIN_EXPECTED for h, n in (sampled.get(s, (0, 0)) for s in walked))
    return "trigram" if absent or hits <= TRIGRAM_MAX_SHARE * rows else "walk"


def contains(column, term):
    """``column`` contains ``term`` (both lower-cased), written so that PostgreSQL walks the sort index to find it.

    ``strpos(…) > 0`` matches exactly what ``LIKE '%term%'`` matches, but no index serves it and the planner
    assumes it keeps a third of the rows, so it never trades the walk for a scan of the whole scope and a sort
    (it would, for a ``LIKE`` it believed rare).
    """
    return position(column, term) > 0


def like(column, pattern, key, indexed: tuple, *narrowing):
    """``column LIKE pattern`` (``\\`` escapes) as a condition on ``column``'s rows. On PostgreSQL the text is
    matched in its trigram-indexed copy: ``key IN`` that table's keys whose text matches, ``indexed`` being its
    (key, text) columns (``app.accounts.models.AccountSearch`` says why the copy is a table of its own), and
    ``narrowing`` conditions on the copy that the rows must meet anyway, so that fewer keys are looked up."""
    if not active():
        return column.like(pattern, escape="\\")
    indexed_key, indexed_text = indexed
    return key.in_(select(indexed_key).where(indexed_text.like(pattern, escape="\\"), *narrowing))


def matches_first(stmt: Select, name: str):
    """``stmt`` (the search's matches) as a CTE read on its own, before anything else is checked.

    ``MATERIALIZED`` keeps the planner from combining any scope or filter index with the trigram index: a
    generic plan, which doesn't know how rare the term is, intersected it with the collector's whole book.
    """
    return stmt.cte(name).prefix_with("MATERIALIZED")


def sample_of(table: FromClause, percent=None) -> FromClause:
    """The fixed ``percent`` sample of ``table``'s pages (``TABLESAMPLE SYSTEM … REPEATABLE (0)``): the same
    pages every time, so the plan choice doesn't flicker between reads. ``percent``: a value or a bound
    parameter (default: the ``percent`` parameter)."""
    percent = bindparam("percent", required=True) if percent is None else percent
    return tablesample(table, func.system(percent), name="sampled", seed=literal_column("0"))
