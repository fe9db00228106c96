"""``POST /api/v1/accounts/bulk/`` and ``GET /api/v1/bulk/{id}/``: the bulk pages' service over the API."""

import pytest

from app.accounts.models import ActivityKind
from app.extensions import db
from tests.bulk.helpers import audit_events, collectors, new_accounts, owners, timeline_count
from tests.jobs.conftest import queued_jobs, run_worker  # noqa: F401 (fixtures: jobs wait for a real worker)

URL = "/accounts/bulk/"


def priorities(accounts) -> list[int]:
    db.session.expire_all()
    return [a.priority for a in accounts]


def test_picked_ids_run_at_once_and_answer_the_outcome(api_as, admin, agency, foreign):
    accounts = new_accounts(agency, 3, priority=1)
    ids = [a.id for a in accounts] + [foreign.account.id]  # another agency's id selects nothing
    response = api_as(admin).post(
        URL, json={"action": "priority", "selection": {"ids": ids}, "params": {"priority": 3}}
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "done" and body["total"] == 3 and body["progress"] == 100
    assert body["counts"]["changed"] == 3 and body["url"].endswith(f"/api/v1/bulk/{body['id']}/")
    assert priorities(accounts) == [3, 3, 3]
    assert len(audit_events("accounts.bulk_priority", agency)) == 1
    assert api_as(admin).get(f"/bulk/{body['id']}/").json == body


def test_filters_select_like_the_list(api_as, admin, agency):
    low = new_accounts(agency, 2, current_balance="100.00")
    high = new_accounts(agency, 2, current_balance="900.00")
    cora, dan = collectors(agency, 10, 10)
    body = {
        "action": "assign",
        "selection": {"filters": {"min_balance": "500", "status": "new"}},
        "params": {"collector_ids": [cora.id, dan.id]},
    }
    response = api_as(admin).post(URL, json=body)
    assert response.status_code == 200 and response.json["total"] == 2, response.json
    assert sorted(owners(high)) == sorted([cora.id, dan.id]) and owners(low) == [None, None]


def test_status_and_follow_up_actions(api_as, admin, agency, collector):
    accounts = new_accounts(agency, 2, assigned_collector=collector, status="assigned")
    api = api_as(admin)
    selection = {"ids": [a.id for a in accounts]}
    moved = api.post(URL, json={"action": "status", "selection": selection, "params": {"status": "in_contact"}})
    assert moved.status_code == 200 and moved.json["counts"]["changed"] == 2, moved.json
    params = {"due_at": "2027-01-04T09:00:00+00:00", "reason": "Call back after the holidays"}
    followed = api.post(URL, json={"action": "follow_up", "selection": selection, "params": params})
    assert followed.status_code == 200, followed.json
    assert timeline_count(accounts, ActivityKind.FOLLOW_UP) == 2


def test_a_large_selection_is_a_202_polled_until_done(app, api_as, admin, agency, run_worker, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "BULK_BACKGROUND_THRESHOLD", 2)
    accounts = new_accounts(agency, 3, priority=1)
    api = api_as(admin)
    response = api.post(URL, json={"action": "priority", "selection": {"filters": {}}, "params": {"priority": 0}})
    assert response.status_code == 202 and response.json["status"] == "queued", response.json
    assert response.headers["Location"] == response.json["url"]
    run_worker()
    done = api.get(f"/bulk/{response.json['id']}/")
    assert done.json["status"] == "done" and done.json["processed"] == 3 and priorities(accounts) == [0, 0, 0]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"action": "delete", "selection": {"ids": [1]}}, "action"),
        ({"action": "priority", "params": {"priority": 1}}, "selection"),
        ({"action": "priority", "selection": {}, "params": {"priority": 1}}, "selection.ids"),
        ({"action": "priority", "selection": {"ids": [1], "filters": {}}, "params": {"priority": 1}}, "selection.ids"),
        ({"action": "priority", "selection": {"ids": [0]}, "params": {"priority": 1}}, "selection.ids.0"),
        ({"action": "priority", "selection": {"ids": list(range(1, 502))}, "params": {"priority": 1}}, "selection.ids"),
        ({"action": "priority", "selection": {"filters": {"colour": "red"}}, "params": {"priority": 1}}, None),
        ({"action": "priority", "selection": {"filters": {}}, "params": {"priority": 7}}, "params.priority"),
        ({"action": "priority", "selection": {"filters": {}}, "params": {}}, "params.priority"),
        ({"action": "status", "selection": {"filters": {}}, "params": {"status": "gone"}}, "params.status"),
        ({"action": "assign", "selection": {"filters": {}}, "params": {"collector_ids": ["x"]}}, None),
        ({"action": "assign", "selection": {"filters": {}}, "params": {"collector_ids": [999999]}}, "collector_ids"),
        ({"action": "follow_up", "selection": {"filters": {}}, "params": {"due_at": "2027-01-04T09:00"}}, None),
        ({"action": "priority", "selection": {"filters": {"priority": 3}}, "params": {"priority": 1}}, None),
        (
            {
                "action": "follow_up",
                "selection": {"filters": {}},
                "params": {"due_at": "0001-01-01T00:00:00+14:00", "reason": "x"},
            },
            "params.due_at",
        ),
        (
            {
                "action": "follow_up",
                "selection": {"filters": {}},
                "params": {"due_at": "2027-01-04T09:00:00Z", "reason": " "},
            },
            "reason",
        ),
        (
            {
                "action": "priority",
                "selection": {"filters": {"created_after": "2026-01-01T00:00:00Z"}},
                "params": {"priority": 1},
            },
            None,
        ),
    ],
)
def test_bad_requests_are_a_422_and_change_nothing(api_as, admin, agency, body, field):
    accounts = new_accounts(agency, 2, priority=2)
    response = api_as(admin).post(URL, json=body)
    assert response.status_code == 422, response.json
    assert field is None or field in response.json["errors"], response.json
    assert priorities(accounts) == [2, 2]


def test_admins_only_own_agency_and_a_token(api_as, anonymous, admin, collector, agency, foreign):
    accounts = new_accounts(agency, 1)
    body = {"action": "priority", "selection": {"ids": [accounts[0].id]}, "params": {"priority": 0}}
    assert anonymous.post(URL, json=body).status_code == 401
    assert api_as(collector).post(URL, json=body).status_code == 403
    mine = api_as(admin).post(URL, json=body).json["id"]
    assert api_as(collector).get(f"/bulk/{mine}/").status_code == 403
    assert anonymous.get(f"/bulk/{mine}/").status_code == 401
    theirs = api_as(foreign.admin).get(f"/bulk/{mine}/")
    missing = api_as(foreign.admin).get("/bulk/2147483647/")
    assert theirs.status_code == missing.status_code == 404 and theirs.json == missing.json


def test_a_retry_with_the_same_key_runs_once(api_as, admin, agency):
    accounts = new_accounts(agency, 2, priority=1)
    body = {"action": "priority", "selection": {"ids": [a.id for a in accounts]}, "params": {"priority": 2}}
    api = api_as(admin)
    first = api.post(URL, json=body, headers={"Idempotency-Key": "bulk-1"})
    again = api.post(URL, json=body, headers={"Idempotency-Key": "bulk-1"})
    assert first.status_code == again.status_code == 200 and first.json == again.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(audit_events("accounts.bulk_priority", agency)) == 1


@pytest.mark.parametrize(
    "filters",
    [
        {"search": "a\u0000b"},
        {"search": "%_\\' OR 1=1 --"},
        {"min_balance": "9999999999.99"},
        {"due_after": "2200-12-31"},
    ],
)
def test_hostile_filters_never_fail_the_server(api_as, admin, agency, filters):
    new_accounts(agency, 1)
    body = {"action": "priority", "selection": {"filters": filters}, "params": {"priority": 0}}
    response = api_as(admin).post(URL, json=body)
    assert response.status_code in (400, 422) and response.json["detail"], response.json
