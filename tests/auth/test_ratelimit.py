"""Per-IP limits on failed sign-ins, counted in Redis, and in the database while Redis is unreachable."""

import socket

import pytest
from sqlalchemy import func, select

from app.auth import lockout
from app.auth.models import RateLimitCounter
from app.auth.ratelimit import TOO_MANY_ATTEMPTS
from app.auth.services import LOGIN_FAILED
from app.extensions import db
from tests import factories as f
from tests.conftest import FreshGlobalsClient, Web

LIMIT = 3


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_IP_LIMIT", f"{LIMIT} per minute")


@pytest.fixture
def redis_down(app, monkeypatch):
    """REDIS_URL pointing at a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{port}/2")


def from_ip(app, address: str) -> Web:
    client = FreshGlobalsClient(app, app.response_class)
    client.environ_base["REMOTE_ADDR"] = address
    return Web(client)


def spray(web, agency, times: int) -> list[int]:
    """Wrong passwords for ``times`` different users (no account gets locked)."""
    return [web.login(f.CollectorFactory(agency=agency), "wrong-password").status_code for _ in range(times)]


def counters_in_database() -> int:
    return db.session.scalar(select(func.count()).select_from(RateLimitCounter))


def test_an_ip_is_refused_after_the_limit_even_with_the_right_password(small_limit, web, agency, collector):
    assert spray(web, agency, LIMIT) == [422] * LIMIT
    response = web.login(collector)
    assert response.status_code == 429 and TOO_MANY_ATTEMPTS in response.get_data(as_text=True)
    assert web.get("/worklist").status_code == 302


def test_another_ip_is_not_limited(small_limit, app, web, agency, collector):
    spray(web, agency, LIMIT)
    assert from_ip(app, "203.0.113.9").login(collector).status_code == 303


def test_successful_sign_ins_use_up_nothing(small_limit, web, collector):
    for _ in range(LIMIT + 1):
        assert web.login(collector).status_code == 303
        web.post("/logout")
    response = web.login(collector, "wrong-password")
    assert response.status_code == 422 and LOGIN_FAILED in response.get_data(as_text=True)


def test_with_redis_up_nothing_is_counted_in_the_database(small_limit, web, agency):
    spray(web, agency, 1)
    assert counters_in_database() == 0


def test_the_ip_limit_holds_with_redis_down(small_limit, redis_down, web, agency, collector):
    assert spray(web, agency, LIMIT) == [422] * LIMIT
    assert counters_in_database() == 1
    assert web.login(collector).status_code == 429


def test_embedded_without_redis_counts_in_the_database(small_limit, app, monkeypatch, web, agency, collector):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    monkeypatch.setitem(app.config, "TESTING", False)
    assert spray(web, agency, LIMIT) == [422] * LIMIT
    assert counters_in_database() == 1
    assert web.login(collector).status_code == 429


def test_the_account_lockout_holds_with_redis_down(redis_down, web, collector):
    for _ in range(lockout.MAX_FAILURES):
        assert web.login(collector, "wrong-password").status_code == 422
    assert web.login(collector).status_code == 422
    assert lockout.is_locked(collector)
