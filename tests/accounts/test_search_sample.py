"""The search plan's in-memory sample: counted like the database counts, kept per agency, read again once stale."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import Account
from app.accounts.queries import WorklistFilters, list_accounts
from app.accounts.search_sample import SAMPLES, SampleCache, load_sample, sampled_counts
from app.accounts.states import Status
from app.extensions import db
from app.pg.worklist import choose_plan
from tests import factories as f

NAMES = ("Ann Smith", "Bo SMITHERS", "Zoë O'Brien", "Cy 50%_off", "Di Jones", "Flo Lee")
TERMS = ("smith", "SMITH", "o'brien", "zoë", "50%_", "acc-", "jones", "zzz", "", "lee")


@pytest.fixture
def searchable(agency):
    """Accounts of every status under a few names (one in another agency: never counted)."""
    for n in range(24):
        account = f.AccountFactory(agency=agency, status=list(Status)[n % len(Status)])
        account.debtor.full_name = NAMES[n % len(NAMES)]
        account.refresh_search_text()
    f.AccountFactory(agency=f.AgencyFactory())
    db.session.flush()
    return agency


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def database_counts(agency_id: int, term: str) -> dict[Status, tuple[int, int]]:
    """What the sample count in SQL said: (matching, all) accounts per status, matched by the database."""
    position = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    hits = func.count().filter(position(Account.search_text, term.lower()) > 0)
    stmt = select(Account.status, hits, func.count()).where(Account.agency_id == agency_id).group_by(Account.status)
    return {status: (matching, rows) for status, matching, rows in db.session.execute(stmt)}


@pytest.mark.parametrize("term", TERMS)
def test_the_sample_counts_a_term_like_the_database(searchable, term):
    sample = load_sample(searchable.id, percent=100)
    counted, expected = sampled_counts(sample, term), database_counts(searchable.id, term)
    assert counted == expected
    for walked in ([], list(Status), [Status.NEW]):
        assert choose_plan(counted, walked) == choose_plan(expected, walked)


def test_the_sample_holds_only_the_agencys_accounts(searchable):
    sample = load_sample(searchable.id, percent=100)
    assert sum(len(texts) for texts in sample.values()) == 24
    assert set(sample) == set(Status)


def test_a_sample_is_loaded_once_until_it_expires():
    clock, loads = Clock(), []
    cache = SampleCache(ttl=300, clock=clock)

    def load():
        loads.append(clock.now)
        return {Status.NEW: (f"text {len(loads)}",)}

    assert cache.get(1, load) == {Status.NEW: ("text 1",)}
    clock.now += 299
    assert cache.get(1, load) == {Status.NEW: ("text 1",)}
    clock.now += 1
    assert cache.get(1, load) == {Status.NEW: ("text 2",)}
    assert loads == [1000.0, 1300.0]


def test_the_cache_keeps_the_most_recently_used_agencies_only():
    cache = SampleCache(size=2, clock=Clock())
    for key in (1, 2, 1, 3):
        cache.get(key, lambda key=key: {Status.NEW: (str(key),)})
    assert 1 in cache and 3 in cache and 2 not in cache


def test_a_search_keeps_its_agencys_sample_where_it_chooses_a_plan(searchable, admin, is_postgres):
    SAMPLES.clear()
    filters = WorklistFilters(q="smith", balance_min=Decimal("0"))
    first = [a.id for a in list_accounts(admin, filters, 1, 10).items]
    assert (searchable.id in SAMPLES) == is_postgres  # SQLite always walks: nothing to sample
    assert [a.id for a in list_accounts(admin, filters, 1, 10).items] == first
