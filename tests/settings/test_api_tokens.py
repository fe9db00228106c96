"""Settings → API tokens: create (shown once, stored hashed), list with last use, revoke; admins only."""

import re

from app.auth.tokens import ApiToken
from app.extensions import db
from tests.api.conftest import ApiClient


def create(web, **data):
    return web.client.post(
        "/settings/api-tokens/", data={"csrf_token": web.csrf(), "name": "Dialer", "scopes": ["read"], **data}
    )


def test_a_new_token_is_shown_once_and_works(login, admin, client):
    web = login(admin)
    page = create(web, scopes=["read", "payments"]).get_data(as_text=True)
    raw = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert ApiClient(client, raw).get("/auth/me/").status_code == 200
    listing = web.get("/settings/api-tokens/").get_data(as_text=True)
    assert "Dialer" in listing and "read payments" in listing and raw not in listing
    assert db.session.query(ApiToken).filter(ApiToken.digest == raw).count() == 0


def test_a_token_needs_a_name_and_a_scope(login, admin):
    web = login(admin)
    assert create(web, name="").status_code == 422
    assert create(web, scopes=[]).status_code == 422
    assert create(web, scopes=["root"]).status_code == 422


def test_a_revoked_token_stops_working(login, admin, client):
    web = login(admin)
    raw = re.search(r'id="new-token">([^<]+)<', create(web).get_data(as_text=True)).group(1)
    token = db.session.query(ApiToken).filter(ApiToken.name == "Dialer").one()
    response = web.post(f"/settings/api-tokens/{token.id}/revoke")
    assert response.status_code == 303 and ApiClient(client, raw).get("/auth/me/").status_code == 401


def test_another_users_token_cannot_be_revoked(login, admin, foreign):
    from app.auth import apitokens

    theirs, _ = apitokens.create_personal_token("bi", ["read"], None, actor=foreign.admin)
    assert login(admin).post(f"/settings/api-tokens/{theirs.id}/revoke").status_code == 404


def test_collectors_get_403(login, collector):
    assert login(collector).get("/settings/api-tokens/").status_code == 403
