"""API authentication: login pairs, rotation and family revocation, MFA, logout, me, personal access tokens,
revocation on password change, deactivation and MFA reset, and the login page's brute-force limits."""

from datetime import timedelta

import pyotp
import pytest

from app.accounts import handover
from app.auth import apitokens, lockout, mfa, services
from tests import factories as f
from tests.api.conftest import ApiClient, sign_in


def test_a_login_gives_an_access_and_a_refresh_token(client, collector):
    response = sign_in(client, collector)
    assert response.status_code == 200 and response.json["token_type"] == "Bearer"
    assert response.json["access"].startswith("dfa_") and response.json["refresh"].startswith("dfr_")
    assert response.json["expires_in"] == 900


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_a_wrong_password_is_a_401_or_a_422(client, collector, password):
    response = sign_in(client, collector, password=password)
    assert response.status_code in (401, 422) and "access" not in response.json


def test_me_describes_the_user(api_as, collector, agency):
    me = api_as(collector).get("/auth/me/").json
    assert me["username"] == collector.username and me["role"] == "collector"
    assert me["agency"] == {"id": agency.id, "name": agency.name} and me["collector_id"] == collector.id


def test_the_access_token_expires_after_fifteen_minutes(api_as, collector, clock):
    api = api_as(collector)
    clock.advance(timedelta(minutes=16))
    assert api.get("/auth/me/").status_code == 401


def test_a_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(api_as, collector, client):
    api = api_as(collector)
    rotated = client.post("/api/v1/auth/token/refresh/", json={"refresh": api.refresh})
    assert rotated.status_code == 200
    fresh = ApiClient(client, rotated.json["access"])
    assert fresh.get("/auth/me/").status_code == 200
    replay = client.post("/api/v1/auth/token/refresh/", json={"refresh": api.refresh})
    assert replay.status_code == 401
    assert fresh.get("/auth/me/").status_code == 401 and api.get("/auth/me/").status_code == 401
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": rotated.json["refresh"]}).status_code == 401


def test_an_access_token_is_no_refresh_token(api_as, collector, client):
    api = api_as(collector)
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": api.token}).status_code == 401


def test_logout_revokes_the_login(api_as, collector, client):
    api = api_as(collector)
    assert api.post("/auth/logout/").status_code == 204
    assert api.get("/auth/me/").status_code == 401
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": api.refresh}).status_code == 401


def test_an_mfa_user_must_send_the_code(client, collector):
    secret = f.enrol_mfa(collector)
    assert sign_in(client, collector).status_code == 401
    assert sign_in(client, collector, otp="000000").status_code == 401
    assert sign_in(client, collector, otp=pyotp.TOTP(secret).now()).status_code == 200


def test_a_password_change_revokes_every_token(api_as, admin):
    api = api_as(admin)
    _, personal = apitokens.create_personal_token("bi", ["read"], None, actor=admin)
    services.change_password(admin, f.PASSWORD, "A-much-better-passphrase-77", actor=admin)
    assert api.get("/auth/me/").status_code == 401
    assert ApiClient(api.client, personal).get("/auth/me/").status_code == 401


def test_deactivation_and_mfa_reset_revoke_tokens(api_as, admin, collector, other_collector):
    api = api_as(collector)
    handover.deactivate_collector(collector.id, "unassign", None, actor=admin)
    assert api.get("/auth/me/").status_code == 401
    f.enrol_mfa(other_collector)
    _, personal = apitokens.create_personal_token("dialer", ["read"], None, actor=other_collector)
    mfa.reset_mfa(other_collector.id, actor=admin)
    assert ApiClient(api.client, personal).get("/auth/me/").status_code == 401


def test_personal_tokens_hold_their_scopes(client, admin, account):
    _, reader = apitokens.create_personal_token("bi", ["read"], None, actor=admin)
    api = ApiClient(client, reader)
    assert api.get("/accounts/").status_code == 200
    assert api.post(f"/accounts/{account.id}/add_note/", json={"text": "hi"}).status_code == 403
    _, writer = apitokens.create_personal_token("crm", ["read", "write"], None, actor=admin)
    assert ApiClient(client, writer).post(f"/accounts/{account.id}/add_note/", json={"text": "hi"}).status_code == 201


def test_a_personal_token_expires_and_records_its_last_use(client, admin, clock):
    row, raw = apitokens.create_personal_token("bi", ["read"], f.utcnow() + timedelta(days=1), actor=admin)
    assert ApiClient(client, raw).get("/auth/me/").status_code == 200 and row.last_used_at is not None
    clock.advance(timedelta(days=2))
    assert ApiClient(client, raw).get("/auth/me/").status_code == 401


def test_a_personal_token_is_stored_only_as_its_digest(admin):
    row, raw = apitokens.create_personal_token("bi", ["read"], None, actor=admin)
    assert raw.startswith("dfp_") and raw not in (row.digest, row.name) and len(row.digest) == 64


def test_failed_token_requests_count_towards_the_account_lockout(client, collector):
    for _ in range(lockout.MAX_FAILURES):
        sign_in(client, collector, password="wrong-password")
    assert sign_in(client, collector).status_code == 401


def test_the_login_pages_per_address_limit_applies(client, collector, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_IP_LIMIT", "2 per minute")
    stranger = f.CollectorFactory(agency=collector.agency)
    codes = [sign_in(client, stranger, password="nope").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert sign_in(client, collector).status_code == 429


def test_a_browser_session_needs_its_csrf_token(login, collector, client, assigned_account):
    web = login(collector)
    url = f"/api/v1/accounts/{assigned_account.id}/add_note/"
    assert client.post(url, json={"text": "x"}).status_code == 400
    assert client.post(url, json={"text": "x"}, headers={"X-CSRFToken": web.csrf()}).status_code == 201


def test_a_bearer_token_wins_over_a_session_cookie(login, collector, admin, client, api_as):
    api = api_as(admin)
    login(collector)
    assert api.get("/auth/me/").json["username"] == admin.username
