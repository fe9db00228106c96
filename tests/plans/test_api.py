"""The plans and promises API: the documented shapes, money as decimal strings, refusals as 4xx, isolation 404s."""

from datetime import timedelta

import pytest

from app.accounts.states import Status
from tests.plans.conftest import today


def plan_body(agency, **change):
    first = (today(agency) + timedelta(days=1)).isoformat()
    return {"total": "1000.00", "frequency": "weekly", "count": 3, "first_due": first, **change}


def test_a_plan_is_created_with_its_instalments(api_as, collector, negotiating, agency):
    response = api_as(collector).post(f"/accounts/{negotiating.id}/plans/", json=plan_body(agency))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["state"] == "active" and body["total"] == "1000.00" and body["kind"] == "plan"
    assert [i["amount"] for i in body["instalments"]] == ["333.33", "333.33", "333.34"]
    first = today(agency) + timedelta(days=1)
    assert [i["due"] for i in body["instalments"]] == [(first + timedelta(days=7 * n)).isoformat() for n in range(3)]
    assert {i["state"] for i in body["instalments"]} == {"scheduled"}
    listed = api_as(collector).get(f"/accounts/{negotiating.id}/plans/").json
    assert [p["id"] for p in listed] == [body["id"]]


def test_a_plan_by_instalment_amount_ends_with_the_remainder(api_as, collector, negotiating, agency):
    body = plan_body(agency, amount="400.00", frequency="monthly")
    del body["count"]
    response = api_as(collector).post(f"/accounts/{negotiating.id}/plans/", json=body)
    assert [i["amount"] for i in response.json["instalments"]] == ["400.00", "400.00", "200.00"]


def test_cancel_ends_the_plan(api_as, collector, negotiating, agency):
    client = api_as(collector)
    plan = client.post(f"/accounts/{negotiating.id}/plans/", json=plan_body(agency)).json
    response = client.post(f"/accounts/{negotiating.id}/plans/{plan['id']}/cancel/")
    assert response.status_code == 200 and response.json["state"] == "cancelled"
    assert client.post(f"/accounts/{negotiating.id}/plans/{plan['id']}/cancel/").status_code == 409
    assert client.get(f"/accounts/{negotiating.id}/").json["status"] == Status.NEGOTIATING.value


def test_promises_likewise(api_as, collector, negotiating, agency):
    client = api_as(collector)
    due = (today(agency) + timedelta(days=3)).isoformat()
    response = client.post(f"/accounts/{negotiating.id}/promises/", json={"amount": "150.50", "due": due})
    assert response.status_code == 201 and response.json["amount"] == "150.50" and response.json["due"] == due
    assert client.get(f"/accounts/{negotiating.id}/plans/").json == []
    assert [p["id"] for p in client.get(f"/accounts/{negotiating.id}/promises/").json] == [response.json["id"]]
    promise_id = response.json["id"]
    assert client.post(f"/accounts/{negotiating.id}/plans/{promise_id}/cancel/").status_code == 404
    assert client.post(f"/accounts/{negotiating.id}/promises/{promise_id}/cancel/").json["state"] == "cancelled"


def test_a_second_active_plan_is_409(api_as, collector, negotiating, agency):
    client = api_as(collector)
    client.post(f"/accounts/{negotiating.id}/plans/", json=plan_body(agency))
    response = client.post(f"/accounts/{negotiating.id}/plans/", json=plan_body(agency))
    assert response.status_code == 409 and set(response.json) == {"detail", "errors"}


@pytest.mark.parametrize(
    "change",
    [
        {"total": "0"},
        {"total": "1000.001"},
        {"total": "1e400"},
        {"total": "2000.00"},
        {"count": 0},
        {"count": 10**9},
        {"frequency": "daily"},
        {"first_due": "9999-12-31"},
        {"first_due": "2000-01-01"},
        {"first_due": "not a date"},
        {"amount": "100.00"},
        {"kind": "gift"},
        {"total": "1000.00\u0000"},
    ],
)
def test_bad_input_is_a_4xx_and_writes_nothing(api_as, collector, negotiating, agency, change):
    client = api_as(collector)
    response = client.post(f"/accounts/{negotiating.id}/plans/", json=plan_body(agency, **change))
    assert response.status_code in (400, 422), response.json  # 400: a NUL byte, refused before any view
    assert set(response.json) == {"detail", "errors"}
    assert client.get(f"/accounts/{negotiating.id}/plans/").json == []


def test_another_collectors_and_another_agencys_accounts_are_404(
    api_as, collector, other_collector, negotiating, foreign, agency
):
    plan = api_as(collector).post(f"/accounts/{negotiating.id}/plans/", json=plan_body(agency)).json
    for client in (api_as(other_collector), api_as(foreign.admin)):
        assert client.get(f"/accounts/{negotiating.id}/plans/").status_code == 404
        assert client.post(f"/accounts/{negotiating.id}/plans/", json=plan_body(agency)).status_code == 404
        assert client.post(f"/accounts/{negotiating.id}/plans/{plan['id']}/cancel/").status_code == 404
    mine = api_as(foreign.admin)
    assert mine.post(f"/accounts/{foreign.account.id}/plans/{plan['id']}/cancel/").status_code == 404


def test_the_account_list_filters_by_plan(api_as, collector, negotiating, agency):
    client = api_as(collector)
    client.post(f"/accounts/{negotiating.id}/promises/", json={"amount": "10.00", "due": today(agency).isoformat()})
    due = client.get("/accounts/", query_string={"plan": "due_today"}).json["results"]
    assert [a["id"] for a in due] == [negotiating.id]
    assert client.get("/accounts/", query_string={"plan": "broken"}).json["results"] == []
    assert client.get("/accounts/", query_string={"plan": "nonsense"}).status_code == 422
