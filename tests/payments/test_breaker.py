"""The Stripe circuit breaker: opens on 5 failures in 60 s, fails fast, half-opens after 30 s, closes on success."""

from decimal import Decimal

import pytest

from app.payments.services.breaker import CircuitBreaker, ProcessorUnavailable, stripe_breaker
from app.payments.services.record import record_manual_payment
from tests.payments.helpers import key


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Outage(Exception):
    pass


def boom():
    raise Outage("connection refused")


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(ProcessorUnavailable):
            breaker.call(boom, counts=(Outage,))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def breaker(clock):
    return stripe_breaker(clock)


def test_five_failures_within_a_minute_open_it_and_calls_fail_fast(breaker, clock):
    fail(breaker, 4)
    assert breaker.state() == "closed"
    fail(breaker, 1)
    assert breaker.state() == "open"
    called = []
    with pytest.raises(ProcessorUnavailable, match="paused"):
        breaker.call(lambda: called.append(1))
    assert called == []


def test_failures_spread_over_more_than_a_minute_do_not_open_it(breaker, clock):
    for _ in range(6):
        fail(breaker, 1)
        clock.now += 15
    assert breaker.state() == "closed"


def test_after_thirty_seconds_one_trial_call_closes_it(breaker, clock):
    fail(breaker, 5)
    clock.now += 30
    assert breaker.state() == "half_open"
    assert breaker.call(lambda: "ok") == "ok"
    assert breaker.state() == "closed"


def test_a_failed_trial_reopens_it(breaker, clock):
    fail(breaker, 5)
    clock.now += 31
    fail(breaker, 1)
    assert breaker.state() == "open"
    clock.now += 29
    assert breaker.state() == "open"


def test_half_open_admits_a_single_trial(breaker, clock):
    fail(breaker, 5)
    clock.now += 30
    outcomes = []

    def trial():
        with pytest.raises(ProcessorUnavailable):  # a second caller while the trial is in flight
            breaker.call(lambda: None)
        outcomes.append("trial")

    breaker.call(trial)
    assert outcomes == ["trial"] and breaker.state() == "closed"


def test_state_is_shared_between_breaker_instances(clock):
    fail(stripe_breaker(clock), 5)
    assert stripe_breaker(clock).state() == "open"


def test_stripe_down_fails_card_requests_with_503_but_not_manual_payments(
    app, monkeypatch, login, collector, assigned_account
):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    web = login(collector)
    for _ in range(5):
        body = {"account_id": assigned_account.id, "amount": "10.00", "idempotency_key": key()}
        response = web.client.post("/api/v1/payments/card-requests", json=body, headers={"X-CSRFToken": web.csrf()})
        assert response.status_code == 503
    assert stripe_breaker().state() == "open"
    body = {"account_id": assigned_account.id, "amount": "10.00", "idempotency_key": key()}
    response = web.client.post("/api/v1/payments/card-requests", json=body, headers={"X-CSRFToken": web.csrf()})
    assert response.status_code == 503 and "paused" in response.json["detail"]
    payment = record_manual_payment(assigned_account.id, "10", "cash", "", None, key(), actor=collector)
    assert payment.amount == Decimal("10.00")


def test_breaker_state_is_shown_to_operators(client):
    fail(stripe_breaker(), 5)
    assert client.get("/ready").json["stripe_circuit"] == "open"
