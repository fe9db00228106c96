"""``/api/v1/accounts``: the worklist's filters and orderings, the detail, transitions, assignment, notes, the
timeline."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.accounts import services
from app.accounts.states import Status
from tests import factories as f


@pytest.fixture
def spread(agency, admin, collector):
    """Three accounts with different balances, priorities, due dates and owners."""
    low = f.AccountFactory(agency=agency, current_balance=Decimal("100.00"), priority=0, due_date=date(2026, 1, 10))
    mid = f.AccountFactory(agency=agency, current_balance=Decimal("500.00"), priority=2, due_date=date(2026, 6, 1))
    high = f.AccountFactory(agency=agency, current_balance=Decimal("900.00"), priority=3, due_date=None)
    f.walk_to(mid, Status.IN_CONTACT, admin=admin, collector=collector)
    return low, mid, high


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["id"] for row in response.json["results"]]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("min_balance=200", ["mid", "high"]),
        ("max_balance=500.00", ["low", "mid"]),
        ("priority=3", ["high"]),
        ("status=in_contact", ["mid"]),
        ("collector=COLLECTOR", ["mid"]),
        ("collector=0", ["low", "high"]),
        ("due_after=2026-02-01", ["mid"]),
        ("due_before=2026-02-01", ["low"]),
        ("ordering=-current_balance", ["high", "mid", "low"]),
        ("ordering=current_balance", ["low", "mid", "high"]),
        ("ordering=-priority", ["high", "mid", "low"]),
    ],
)
def test_the_list_filters_and_orders(api_as, admin, collector, spread, query, expected):
    names = dict(zip(["low", "mid", "high"], spread, strict=True))
    query = query.replace("COLLECTOR", str(collector.id))
    got = ids(
        api_as(admin).get(
            f"/accounts/?{query}&ordering=-current_balance" if "ordering" not in query else f"/accounts/?{query}"
        )
    )
    assert sorted(got) == sorted(names[n].id for n in expected)
    if "ordering" in query:
        assert got == [names[n].id for n in expected]


def test_search_and_created_range(api_as, admin, spread, clock):
    low, mid, high = spread
    api = api_as(admin)
    assert ids(api.get(f"/accounts/?search={low.external_ref}")) == [low.id]
    later = (f.utcnow() + timedelta(hours=1)).isoformat()
    assert ids(api.get(f"/accounts/?created_after={later}".replace("+", "%2B"))) == []
    assert len(ids(api.get(f"/accounts/?created_before={later}".replace("+", "%2B")))) == 3


def test_a_collector_lists_only_their_accounts(api_as, collector, spread):
    assert ids(api_as(collector).get("/accounts/")) == [spread[1].id]


def test_the_list_rows_carry_the_descriptions_fields(api_as, admin, collector, spread):
    row = next(r for r in api_as(admin).get("/accounts/").json["results"] if r["id"] == spread[1].id)
    assert row["collector_name"] == collector.full_name and row["status"] == "in_contact"
    assert {"external_ref", "debtor_name", "due_date", "last_contact_at", "created_at", "priority"} <= set(row)


def test_the_detail_masks_the_ssn_and_shows_ten_entries(api_as, admin, assigned_account):
    assigned_account.debtor.ssn_last4 = "1234"
    for n in range(12):
        services.add_note(assigned_account.id, f"note {n}", actor=admin)
    detail = api_as(admin).get(f"/accounts/{assigned_account.id}/").json
    assert detail["debtor"]["ssn_last4"] == "***-**-1234"
    assert len(detail["recent_activities"]) == 10 and detail["recent_activities"][0]["description"] == "note 11"
    assert detail["assigned_to"]["id"] == assigned_account.assigned_collector_id


def test_a_transition_moves_the_account(api_as, collector, assigned_account):
    response = api_as(collector).post(
        f"/accounts/{assigned_account.id}/transition/", json={"new_status": "in_contact", "note": "reached"}
    )
    assert response.status_code == 200 and response.json["status"] == "in_contact"


def test_a_forbidden_transition_is_a_409_naming_the_allowed_ones(api_as, collector, assigned_account):
    response = api_as(collector).post(f"/accounts/{assigned_account.id}/transition/", json={"new_status": "settled"})
    assert response.status_code == 409 and "Allowed" in response.json["detail"]


def test_assignment_is_for_admins(api_as, admin, collector, other_collector, assigned_account):
    url = f"/accounts/{assigned_account.id}/assign/"
    assert api_as(collector).post(url, json={"collector_id": other_collector.id}).status_code == 403
    response = api_as(admin).post(url, json={"collector_id": other_collector.id})
    assert response.status_code == 200 and response.json["assigned_to"]["id"] == other_collector.id


def test_assigning_to_an_unknown_collector_is_a_422(api_as, admin, account):
    response = api_as(admin).post(f"/accounts/{account.id}/assign/", json={"collector_id": 999999})
    assert response.status_code == 422 and "collector_id" in response.json["errors"]


@pytest.mark.parametrize("path", ["add_note", "add-note"])
def test_notes_under_both_spellings(api_as, collector, assigned_account, path):
    response = api_as(collector).post(f"/accounts/{assigned_account.id}/{path}/", json={"text": "Promised Friday."})
    assert response.status_code == 201 and response.json["activity_type"] == "note"
    assert response.json["user_name"] == collector.full_name


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 5001}, {}, {"text": "ok", "extra": 1}])
def test_bad_notes_are_refused(api_as, collector, assigned_account, body):
    response = api_as(collector).post(f"/accounts/{assigned_account.id}/add_note/", json=body)
    assert response.status_code == 422


def test_the_timeline_lists_newest_first(api_as, collector, assigned_account):
    api = api_as(collector)
    api.post(f"/accounts/{assigned_account.id}/add_note/", json={"text": "latest"})
    rows = api.get(f"/accounts/{assigned_account.id}/timeline/").json["results"]
    assert rows[0]["description"] == "latest" and rows[-1]["activity_type"] == "assignment"
