"""Idempotent retries (``Idempotency-Key``) and rate limits (per credential and per address)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.auth import apitokens
from tests.api.conftest import ApiClient
from tests.payments.helpers import balance, payments_of


def keyed(key: str) -> dict:
    return {"Idempotency-Key": key}


def test_a_retry_gets_the_first_response_and_pays_once(api_as, collector, assigned_account):
    api = api_as(collector)
    body = {"account": assigned_account.id, "amount": "100.00", "payment_method": "check"}
    first = api.post("/payments/", json=body, headers=keyed("retry-key-0001"))
    second = api.post("/payments/", json=body, headers=keyed("retry-key-0001"))
    assert first.status_code == second.status_code == 201 and first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(payments_of(assigned_account)) == 1 and balance(assigned_account) == Decimal("900.00")


def test_the_same_key_with_another_body_is_a_422(api_as, collector, assigned_account):
    api = api_as(collector)
    url = f"/accounts/{assigned_account.id}/add_note/"
    assert api.post(url, json={"text": "one"}, headers=keyed("note-key")).status_code == 201
    response = api.post(url, json={"text": "two"}, headers=keyed("note-key"))
    assert response.status_code == 422 and "Idempotency-Key" in response.json["errors"]


def test_a_refused_request_is_replayed_too(api_as, collector, assigned_account):
    api = api_as(collector)
    url = f"/accounts/{assigned_account.id}/transition/"
    first = api.post(url, json={"new_status": "settled"}, headers=keyed("bad-move"))
    again = api.post(url, json={"new_status": "settled"}, headers=keyed("bad-move"))
    assert first.status_code == again.status_code == 409 and first.json == again.json


def test_keys_belong_to_one_credential(api_as, collector, assigned_account):
    url = f"/accounts/{assigned_account.id}/add_note/"
    api_as(collector).post(url, json={"text": "mine"}, headers=keyed("shared-key"))
    response = api_as(collector).post(url, json={"text": "another login"}, headers=keyed("shared-key"))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers


def test_keys_are_kept_a_day(client, collector, assigned_account, clock):
    _, raw = apitokens.create_personal_token("crm", ["read", "write"], None, actor=collector)
    api, url = ApiClient(client, raw), f"/accounts/{assigned_account.id}/add_note/"
    api.post(url, json={"text": "first"}, headers=keyed("day-key"))
    clock.advance(timedelta(hours=23))
    assert "Idempotent-Replayed" in api.post(url, json={"text": "first"}, headers=keyed("day-key")).headers
    clock.advance(timedelta(hours=2))
    again = api.post(url, json={"text": "first"}, headers=keyed("day-key"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers


def test_an_overlong_key_is_refused(api_as, collector, assigned_account):
    response = api_as(collector).post(
        f"/accounts/{assigned_account.id}/add_note/", json={"text": "x"}, headers=keyed("k" * 256)
    )
    assert response.status_code == 422


@pytest.fixture
def small_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "API_IP_LIMIT", "5 per minute")


def test_a_credential_over_its_limit_gets_429_with_retry_after(api_as, admin, small_limits):
    api = api_as(admin)
    responses = [api.get("/accounts/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["RateLimit-Limit"] == "3" and responses[0].headers["RateLimit-Remaining"] == "2"
    assert int(responses[3].headers["Retry-After"]) >= 1 and set(responses[3].json) == {"detail", "errors"}


def test_the_address_limit_holds_across_credentials(api_as, admin, collector, small_limits):
    first, second = api_as(admin), api_as(collector)
    codes = [c.get("/accounts/").status_code for c in (first, first, first, second, second, second)]
    assert codes == [200, 200, 200, 200, 200, 429]


def test_an_invalid_token_is_a_401_and_counts_by_address(client, small_limits):
    api = ApiClient(client, "dfa_not-a-token")
    codes = [api.get("/accounts/").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_a_browser_sessions_keys_are_stored_without_its_token(login, collector, client, assigned_account):
    from app.auth.tokens import IdempotentResponse
    from app.extensions import db

    web = login(collector)
    headers = {"X-CSRFToken": web.csrf(), **keyed("session-key")}
    url = f"/api/v1/accounts/{assigned_account.id}/add_note/"
    first = client.post(url, json={"text": "from the page"}, headers=headers)
    again = client.post(url, json={"text": "from the page"}, headers=headers)
    assert first.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    owner = db.session.query(IdempotentResponse.owner).one()[0]
    assert owner.startswith("session:") and collector.current_session_token not in owner
