"""API fixtures: a client that signs in through ``POST /api/v1/auth/token/`` and sends its bearer token."""

import pytest

from tests import factories as f

BASE = "/api/v1"


class ApiClient:
    """The test client with an ``Authorization: Bearer`` header on every request."""

    def __init__(self, client, token: str | None = None, refresh: str | None = None):
        self.client, self.token, self.refresh = client, token, refresh

    def headers(self, extra: dict | None = None) -> dict:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **(extra or {})}

    def get(self, path: str, headers: dict | None = None, **kw):
        return self.client.get(BASE + path, headers=self.headers(headers), **kw)

    def post(self, path: str, json=None, headers: dict | None = None, **kw):
        return self.client.post(BASE + path, json=json, headers=self.headers(headers), **kw)

    def patch(self, path: str, json=None, headers: dict | None = None):
        return self.client.patch(BASE + path, json=json, headers=self.headers(headers))

    def delete(self, path: str, headers: dict | None = None):
        return self.client.delete(BASE + path, headers=self.headers(headers))


def sign_in(client, user, password: str = f.PASSWORD, **extra):
    return client.post(f"{BASE}/auth/token/", json={"username": user.username, "password": password, **extra})


@pytest.fixture
def api_as(client):
    """``api_as(user)``: an ApiClient holding a fresh login's tokens for ``user``."""

    def _as(user) -> ApiClient:
        response = sign_in(client, user)
        assert response.status_code == 200, response.get_data(as_text=True)
        return ApiClient(client, response.json["access"], response.json["refresh"])

    return _as


@pytest.fixture
def anonymous(client) -> ApiClient:
    return ApiClient(client)
