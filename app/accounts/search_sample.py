"""The sample a search's plan is chosen on (``app.pg.worklist.search_plan``), kept in memory per agency for a
few minutes.

The plan weighs the term's share of the agency's accounts, per status, in a fixed sample of the table.
Counting it in the database would cost a ``TABLESAMPLE`` scan and a round trip on every search, more than
most search pages take to run. The choice only decides how fast a page comes, never which rows (both plans
return the same ones), so a sample a few minutes old serves as well as a fresh one: each process keeps the
(status, search text) of the sampled accounts of each agency and counts a term in Python. The price: for up
to ``SAMPLE_TTL`` seconds after a large import, searches may take the slower of the two plans.

Memory is bounded: at most ``MAX_AGENCIES`` agencies (the least recently searched is dropped) of at most
``MAX_ROWS`` rows each (about 50 characters a row).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache, partial

from sqlalchemy import Select, bindparam, func, select

from app.accounts.models import Account
from app.accounts.states import Status
from app.extensions import db
from app.pg import worklist as pg_worklist
from app.pg.prepare import generic
from app.pg.rls import agency_filtered

SAMPLE_TTL = 300.0  # seconds a process trusts an agency's sample before reading it again
MAX_ROWS = 10_000  # per agency: the 0.25 % sample of 4,000,000 accounts
MAX_AGENCIES = 64
SEPARATOR = "\n"  # between the texts of one status; a search text has none (a newline in one would only split it)

Sample = dict[Status, tuple[str, ...]]


def sampled_counts(sample: Sample, term: str) -> dict[Status, tuple[int, int]]:
    """(matching, all) sampled accounts per status; matching as the walk's ``strpos`` does (lower-cased)."""
    needle = term.lower()
    return {status: (len([t for t in texts if needle in t]), len(texts)) for status, texts in sample.items()}


def sampled_term_counts(agency_id: int, term: str) -> dict[Status, tuple[int, int]]:
    """(matching, all) accounts per status in the agency's sample, read from the database if stale."""
    return sampled_counts(SAMPLES.get(agency_id, partial(load_sample, agency_id)), term)


def load_sample(agency_id: int, percent: float = pg_worklist.SAMPLE_PERCENT) -> Sample:
    """The search texts of the agency's accounts in the fixed ``percent`` sample of the table, by status.

    At 100 % it is every account of the agency (on any database; ``TABLESAMPLE`` is PostgreSQL's).
    """
    rows = db.session.execute(_sample_texts(percent < 100), dict(agency_id=agency_id, percent=percent))
    return {status: tuple(texts.split(SEPARATOR)) for status, texts in rows}


@lru_cache(maxsize=2)
def _sample_texts(sampled: bool) -> Select:
    """Per status, the sampled search texts joined into one string: a row per status to fetch rather than one
    per sampled account (SQLAlchemy's cost of building a result row, times thousands)."""
    table = pg_worklist.sample_of(Account.__table__) if sampled else Account.__table__
    rows = select(table.c.status, table.c.search_text).where(table.c.agency_id == bindparam("agency_id"))
    rows = rows.limit(MAX_ROWS).subquery()
    texts = func.aggregate_strings(rows.c.search_text, SEPARATOR)
    # Planning it costs more than running it; filtered by agency above, so it runs as the reader (app.pg.rls).
    return generic(agency_filtered(select(rows.c.status, texts).group_by(rows.c.status)))


class SampleCache:
    """Samples by key, each read again once older than ``ttl`` seconds; at most ``size`` kept (least recently
    used dropped first). Safe to share between a process's threads; two threads may both load a missing key."""

    def __init__(self, ttl: float = SAMPLE_TTL, size: int = MAX_AGENCIES, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.size, self.clock = ttl, size, clock
        self._entries: OrderedDict[Hashable, tuple[float, Sample]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Sample]) -> Sample:
        """The sample kept for ``key``, or ``load()``'s (kept from now on) if there is none or it expired."""
        now = self.clock()
        with self._lock:
            loaded_at, sample = self._entries.get(key, (None, None))
            if loaded_at is not None and now - loaded_at < self.ttl:
                self._entries.move_to_end(key)
                return sample
        sample = load()  # outside the lock: one agency's read doesn't hold up the others' searches
        with self._lock:
            self._entries[key] = (now, sample)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return sample

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


SAMPLES = SampleCache()  # this process's, by agency id
