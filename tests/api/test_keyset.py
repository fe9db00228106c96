"""The accounts list's keyset cursors: a page continues from its last row's (sort value, id), both ways, for
every ordering (ties, nulls), and never repeats or skips rows when accounts are added before the cursor."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.api.paging import encode
from app.timeutil import utcnow
from tests import factories as f


def walk(client, url: str, key: str) -> tuple[list, list]:
    """The ids of every page following ``next`` links from ``url``, then back along ``previous`` links."""
    pages, response = [], client.get(url)
    while True:
        pages.append(response)
        if not response.json["next"]:
            break
        response = client.client.get(response.json["next"], headers=client.headers())
    backwards = [response]
    while backwards[-1].json[key]:
        backwards.append(client.client.get(backwards[-1].json[key], headers=client.headers()))
    ids = [[r["id"] for r in page.json["results"]] for page in pages]
    return ids, [[r["id"] for r in page.json["results"]] for page in reversed(backwards)]


@pytest.mark.parametrize(
    "ordering",
    [
        "priority",
        "-priority",
        "current_balance",
        "-current_balance",
        "due_date",
        "-due_date",
        "last_contact_at",
        "-last_contact_at",
        "created_at",
        "-created_at",
    ],
)
def test_every_ordering_pages_both_ways_through_ties_and_nulls(api_as, admin, agency, ordering):
    now = utcnow()
    for n in range(7):  # pairs of equal values, and nulls for the dates
        f.AccountFactory(
            agency=agency,
            priority=n % 2,
            current_balance=Decimal("100.00") * (n % 3 + 1),
            due_date=None if n % 3 == 0 else (now + timedelta(days=n % 2)).date(),
            last_contact_at=None if n % 2 else now - timedelta(days=n // 3),
        )
    client = api_as(admin)
    every = [r["id"] for r in client.get(f"/accounts/?page_size=200&ordering={ordering}").json["results"]]
    forwards, backwards = walk(client, f"/accounts/?page_size=3&ordering={ordering}", "previous")
    assert [i for page in forwards for i in page] == every and len(every) == 7
    assert backwards == forwards  # the previous links give the same pages again


def test_rows_added_before_the_cursor_shift_nothing(api_as, admin, agency):
    accounts = [f.AccountFactory(agency=agency) for _ in range(4)]
    client = api_as(admin)
    first = client.get("/accounts/?page_size=2&ordering=-created_at")
    f.AccountFactory(agency=agency)  # newest: lands on the first page, before the cursor
    second = client.client.get(first.json["next"], headers=client.headers())
    seen = [r["id"] for page in (first, second) for r in page.json["results"]]
    assert seen == [a.id for a in reversed(accounts)]


def test_a_cursor_of_another_ordering_is_refused(api_as, admin, agency):
    for _ in range(3):
        f.AccountFactory(agency=agency)
    client = api_as(admin)
    cursor = client.get("/accounts/?page_size=1&ordering=priority").json["next"].split("cursor=")[1]
    response = client.get(f"/accounts/?page_size=1&ordering=due_date&cursor={cursor}")
    assert response.status_code == 400 and response.json["errors"] == {"cursor": ["Invalid."]}


@pytest.mark.parametrize(
    "position",
    [
        {"s": "created_at", "v": "2026-01-01T00:00:00", "i": 1, "d": "n"},  # no zone
        {"s": "current_balance", "v": "lots", "i": 1, "d": "n"},
        {"s": "priority", "v": True, "i": 1, "d": "n"},
        {"s": "priority", "v": 1, "i": -1, "d": "n"},
        {"s": "priority", "v": 1, "i": 1, "d": "x"},
        {"s": "due_date", "v": "2026-02-30", "i": 1, "d": "p"},
    ],
)
def test_forged_cursors_are_refused(api_as, admin, account, position):
    ordering = position["s"]
    response = api_as(admin).get(f"/accounts/?ordering={ordering}&cursor={encode(position)}")
    assert response.status_code == 400 and set(response.json) == {"detail", "errors"}
