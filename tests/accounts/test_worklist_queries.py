"""The worklist's page queries return exactly the rows of the plain definition, for every filter, sort and plan.

``expected_ids`` is that definition written out in Python (scope, filters, sort with NULLs last ascending
and first descending, ``id`` as tie-breaker); ``list_accounts`` answers with other shapes (one walk per
status merged, a sampled choice between a walk and the trigram index for a search: see
``app/accounts/worklist.py``), which must never change a row or its place.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import cycle
from zoneinfo import ZoneInfo

import pytest

from app.accounts.aging import BY_KEY
from app.accounts.models import Account
from app.accounts.queries import UNASSIGNED, WorklistFilters, list_accounts
from app.accounts.states import OPEN_STATUSES, Status
from app.accounts.worklist import branch_statuses, page_query, shape_of
from app.accounts.worklist_filters import SORTS
from app.accounts.workscore import score, score_values
from app.extensions import db
from app.pg.worklist import choose_plan
from app.timeutil import utcnow
from tests import factories as f

SIZE = 4  # rows per page: small, so that three pages cross status and tie boundaries
NAMES = ("Ann Smith", "Bo Smithers", "Zoë O'Brien", "Cy 50%_off", "Di Jones", "Ed Smith-Jones", "Flo Lee")


@pytest.fixture
def worklist(agency, admin, collector, other_collector):
    """Forty accounts over every status, with ties, NULLs and zero balances where real data has them."""
    today, now = date.today(), datetime(2026, 1, 1, tzinfo=UTC)
    collectors = cycle([collector.id, other_collector.id, None])
    balances = cycle([Decimal("0.00"), Decimal("150.00"), Decimal("150.00"), Decimal("900.00"), Decimal("5000.00")])
    for n, (status, name) in enumerate(zip(cycle(list(Status)), cycle(NAMES), strict=False)):
        if n == 40:
            break
        account = f.AccountFactory(
            agency=agency,
            status=status,
            priority=n % 4,
            original_amount=Decimal("6000.00"),
            current_balance=next(balances),
            due_date=None if n % 7 == 0 else today - timedelta(days=(n * 11) % 120 - 20),
            last_contact_at=None if n % 5 == 0 else now + timedelta(days=n % 9),
            # new accounts are unassigned but one (the collector indexes leave out only unassigned new ones)
            assigned_collector_id=None if status == Status.NEW and n != 8 else next(collectors),
            created_at=now + timedelta(hours=n // 3),
            next_follow_up_at=None if n % 3 else utcnow() + timedelta(days=n % 4 - 2),
        )
        account.debtor.full_name = name
        account.refresh_search_text()
    f.AccountFactory(agency=f.AgencyFactory())  # another agency's account: never listed
    db.session.flush()
    return dict(admin=admin, collector=collector)


def filter_sets(collector_id: int) -> dict[str, dict]:
    today = date.today()
    return {
        "none": {},
        "status": {"status": Status.IN_CONTACT},
        "status_settled": {"status": Status.SETTLED},
        "priority": {"priority": 2},
        "collector": {"collector_id": collector_id},
        "unassigned": {"collector_id": UNASSIGNED},
        "unassigned+new": {"collector_id": UNASSIGNED, "status": Status.NEW},
        "unassigned+closed": {"collector_id": UNASSIGNED, "status": Status.CLOSED},
        "unassigned+aging": {"collector_id": UNASSIGNED, "aging": "0_30"},
        "unassigned+q": {"collector_id": UNASSIGNED, "q": "smith"},
        "balance_range": {"balance_min": Decimal("100"), "balance_max": Decimal("1000")},
        "balance_min": {"balance_min": Decimal("1")},
        "due_range": {"due_from": today - timedelta(days=30), "due_to": today + timedelta(days=10)},
        "aging": {"aging": "31_60"},
        "aging_no_due_date": {"aging": "no_due_date"},
        "aging+status": {"aging": "0_30", "status": Status.ASSIGNED},
        "aging+closed": {"aging": "0_30", "status": Status.CLOSED},
        "aging+collector": {"aging": "61_90", "collector_id": collector_id},
        "open": {"open_only": True},
        "open+collector": {"open_only": True, "collector_id": collector_id},
        "open+unassigned": {"open_only": True, "collector_id": UNASSIGNED},
        "open+q": {"open_only": True, "q": "smith"},
        "q": {"q": "smith"},
        "q_quote": {"q": "o'brien"},
        "q_wildcards": {"q": "50%_"},
        "q_short": {"q": "jo"},
        "q_everyone": {"q": "acc-"},
        "q_nothing": {"q": "zzz"},
        "q+status": {"q": "smith", "status": Status.NEGOTIATING},
        "q+aging": {"q": "SMITH", "aging": "0_30"},
        "q+balance": {"q": "lee", "balance_min": Decimal("100")},
    }


SORT_ATTRS = {name: column.key for name, column in SORTS.items() if name != "score"}


def expected_ids(viewer, filters: WorklistFilters) -> list[int]:
    """Every matching id in order, filtered and sorted in Python."""
    rows = [
        a
        for a in db.session.scalars(db.select(Account))
        if a.agency_id == viewer.agency_id and keeps(a, viewer, filters)
    ]
    if filters.sort == "score":
        return by_score(viewer, rows, filters.direction == "desc")
    attr, descending = SORT_ATTRS[filters.sort], filters.direction == "desc"
    present = sorted((a for a in rows if getattr(a, attr) is not None), key=lambda a: (getattr(a, attr), a.id))
    missing = sorted((a for a in rows if getattr(a, attr) is None), key=lambda a: a.id)
    ordered = (missing[::-1] + present[::-1]) if descending else (present + missing)
    return [a.id for a in ordered]


def by_score(viewer, rows: list[Account], descending: bool) -> list[int]:
    """The rows' ids by (work score, id), each account's score read on its own (the formula's one statement)."""
    values = score_values(viewer.agency.work_score_weights, viewer.agency.timezone)
    stmt = db.select(Account.id, score(Account)).where(Account.id.in_([a.id for a in rows]))
    ranked = sorted(db.session.execute(stmt, values).all(), key=lambda row: (row[1], row[0]), reverse=descending)
    return [row[0] for row in ranked]


def keeps(a: Account, viewer, f: WorklistFilters) -> bool:
    checks = [
        viewer.is_admin or a.assigned_collector_id == viewer.id,
        f.status is None or a.status == f.status,
        f.priority is None or a.priority == f.priority,
        f.collector_id is None or a.assigned_collector_id == (f.collector_id or None),
        f.balance_min is None or a.current_balance >= f.balance_min,
        f.balance_max is None or a.current_balance <= f.balance_max,
        f.due_from is None or (a.due_date is not None and a.due_date >= f.due_from),
        f.due_to is None or (a.due_date is not None and a.due_date <= f.due_to),
        f.q.lower() in a.search_text,
        f.aging is None or in_bucket(a, BY_KEY[f.aging], viewer),
        not f.open_only or a.status in OPEN_STATUSES,
    ]
    return all(checks)


def in_bucket(a: Account, bucket, viewer) -> bool:
    if a.status not in OPEN_STATUSES:
        return False
    if bucket.key == "no_due_date" or a.due_date is None:
        return bucket.key == "no_due_date" and a.due_date is None
    days = (utcnow().astimezone(ZoneInfo(viewer.agency.timezone)).date() - a.due_date).days
    return (bucket.min_days is None or days >= bucket.min_days) and (bucket.max_days is None or days <= bucket.max_days)


def every_sort(params: dict):
    for sort in SORTS:
        for direction in ("desc", "asc"):
            yield WorklistFilters(**params, sort=sort, direction=direction)


@pytest.mark.parametrize("name", list(filter_sets(0)))
def test_list_accounts_pages_match_the_plain_query(worklist, name):
    for viewer in (worklist["admin"], worklist["collector"]):
        for filters in every_sort(filter_sets(worklist["collector"].id)[name]):
            expected = expected_ids(viewer, filters)
            for number in (1, 2, 3):
                page = list_accounts(viewer, filters, number, SIZE)
                wanted = expected[(number - 1) * SIZE : number * SIZE]
                assert [a.id for a in page.items] == wanted, (viewer.role, filters, number)
                assert page.has_next == (len(expected) > number * SIZE)


@pytest.mark.parametrize("name", [n for n in filter_sets(0) if n.startswith("q")])
@pytest.mark.parametrize("plan", ["walk", "trigram"])
def test_both_search_plans_give_the_same_rows(worklist, name, plan):
    for viewer in (worklist["admin"], worklist["collector"]):
        for filters in every_sort(filter_sets(worklist["collector"].id)[name]):
            expected = expected_ids(viewer, filters)
            for offset in (0, SIZE):
                stmt, values = page_query(viewer, filters, offset, SIZE + 1, plan=plan)
                assert list(db.session.scalars(stmt, values)) == expected[offset : offset + SIZE + 1], filters


def statuses_walked(viewer, **params) -> list[Status]:
    return branch_statuses(shape_of(viewer, WorklistFilters(**params)))


def test_an_admins_list_is_walked_per_status_only_without_a_status_or_collector(worklist):
    admin, collector = worklist["admin"], worklist["collector"]
    assert statuses_walked(admin) == list(Status)
    assert Status.SETTLED not in statuses_walked(admin, aging="0_30")
    assert statuses_walked(admin, status=Status.NEW) == []
    assert statuses_walked(admin, collector_id=UNASSIGNED) == []
    assert statuses_walked(collector) == []


def test_a_search_walks_only_for_a_term_common_in_every_status_it_walks():
    common = {Status.NEW: (30, 500), Status.CLOSED: (20, 400)}
    assert choose_plan(common, [Status.NEW, Status.CLOSED]) == "walk"
    assert choose_plan({Status.NEW: (2, 500), Status.CLOSED: (1, 400)}, [Status.NEW]) == "trigram"  # rare
    assert choose_plan({}, []) == "trigram"  # nothing sampled (a small table): the trigram index is cheap
    never_closed = {Status.NEW: (60, 500), Status.CLOSED: (0, 400)}
    assert choose_plan(never_closed, [Status.NEW, Status.CLOSED]) == "trigram"  # the closed walk would never end
    assert choose_plan(never_closed, []) == "walk"  # one walk (a status filter, a collector) meets every status
    # Missing from a small status's sample by chance: 3% of 116 sampled accounts predicts 3.5 matches, not 5
    by_chance = {Status.NEW: (35, 1000), Status.CLOSED: (0, 116)}
    assert choose_plan(by_chance, [Status.NEW, Status.CLOSED]) == "walk"
