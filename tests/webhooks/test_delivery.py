"""Deliveries to a real HTTP server on loopback: signed, de-duplicable, retried, refused when not permitted."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.errors import ValidationFailed
from app.timeutil import utcnow
from app.webhooks import services
from app.webhooks.models import DeliveryStatus, WebhookDelivery
from jobs.webhooks import sweep_webhook_deliveries
from tests.factories import db
from tests.webhooks.conftest import verify


def deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_status_change_is_delivered_signed(admin, assigned_account, subscribe, receiver, run_worker):
    endpoint = subscribe()
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    assert receiver.requests == []  # queued after the commit, run by the worker
    run_worker()
    [received] = receiver.requests
    verify(received, endpoint.secret)
    body = received.json
    assert received.headers["debtflow-event-id"] == body["id"]
    assert body["type"] == "account.status_changed"
    assert body["data"] == {"account_id": assigned_account.id, "old_status": "assigned", "new_status": "in_contact"}
    [delivery] = deliveries()
    assert (delivery.status, delivery.last_response_code, delivery.attempts) == (DeliveryStatus.DELIVERED, 200, 1)


def test_a_wrong_secret_does_not_verify(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe()
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    with pytest.raises(AssertionError):
        verify(receiver.requests[0], "whsec_not-the-secret")


def test_a_500_is_retried_by_the_sweep_then_delivered(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe(events=["account.status_changed"])
    receiver.answers = [500]
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    [delivery] = deliveries()
    assert (delivery.status, delivery.last_response_code, delivery.attempts) == (DeliveryStatus.PENDING, 500, 1)
    assert delivery.next_attempt_at > utcnow()
    assert sweep_webhook_deliveries() == 0  # not due yet
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sweep_webhook_deliveries() == 1
    run_worker()
    db.session.refresh(delivery)
    assert (delivery.status, delivery.last_response_code, delivery.attempts) == (DeliveryStatus.DELIVERED, 200, 2)
    first, second = receiver.requests
    assert first.headers["debtflow-event-id"] == second.headers["debtflow-event-id"]


def test_retries_stop_24_hours_after_the_event(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe(events=["account.status_changed"])
    receiver.answers = [503, 503]
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    [delivery] = deliveries()
    delivery.created_at = utcnow() - timedelta(hours=24)
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sweep_webhook_deliveries()
    run_worker()
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.FAILED, 2, "HTTP 503")
    assert delivery.next_attempt_at is None and sweep_webhook_deliveries() == 0


def test_personal_data_only_when_the_endpoint_asks(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe(personal=True)
    services.create_endpoint({"url": receiver.url + "?plain=1", "events": ["account.status_changed"]}, actor=admin)
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    data = {r.path.endswith("plain=1"): r.json["data"] for r in receiver.requests}
    debtor = assigned_account.debtor
    personal = {"full_name": debtor.full_name, "email": debtor.email, "phone": debtor.phone}
    assert data[False] == {**data[True], "debtor": personal}
    assert "debtor" not in data[True]
    assert all("debtor" not in d.payload["data"] for d in deliveries())  # the outbox never holds it


def test_resend_delivers_the_same_event_again(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe(events=["account.status_changed"])
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    [first] = deliveries()
    copy = services.resend(first.id, actor=admin)
    run_worker()
    assert (copy.event_id, copy.payload) == (first.event_id, first.payload)
    db.session.refresh(copy)
    assert copy.status == DeliveryStatus.DELIVERED
    assert [r.headers["debtflow-event-id"] for r in receiver.requests] == [first.event_id] * 2


def test_a_rolled_back_change_sends_nothing(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe()
    with pytest.raises(ValidationFailed):
        accounts.change_status(assigned_account.id, "new", actor=admin)  # not allowed from assigned
    run_worker()
    assert receiver.requests == [] and deliveries() == []


def test_private_targets_are_refused_unless_allow_listed(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    for url in ("http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/"):
        with pytest.raises(ValidationFailed) as exc:
            services.create_endpoint({"url": url, "events": ["import.completed"]}, actor=admin)
        assert "url" in exc.value.fields


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "http://93.184.216.34/hook", "https://user:pw@93.184.216.34/", "https://", "x" * 501],
)
def test_bad_urls_are_refused(admin, url):
    with pytest.raises(ValidationFailed) as exc:
        services.create_endpoint({"url": url, "events": ["import.completed"]}, actor=admin)
    assert "url" in exc.value.fields


def test_a_target_no_longer_allowed_fails_without_a_packet(app, admin, assigned_account, subscribe, receiver,
                                                           run_worker, monkeypatch):  # fmt: skip
    subscribe(events=["account.status_changed"])
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])  # the operator narrowed the allow-list
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    [delivery] = deliveries()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error.startswith("refused:")
    assert receiver.requests == []


def test_an_unreachable_receiver_is_retried(admin, assigned_account, subscribe, receiver, run_worker):
    endpoint = subscribe(events=["account.status_changed"]).endpoint
    endpoint.url = "http://127.0.0.1:9/closed"  # discard port: nothing listens
    db.session.commit()
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    [delivery] = deliveries()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_response_code is None
    assert "ConnectionRefused" in delivery.last_error


def test_an_ipv6_literal_target_is_reached(admin, assigned_account, receiver6, run_worker):
    created = services.create_endpoint({"url": receiver6.url, "events": ["account.status_changed"]}, actor=admin)
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    [received] = receiver6.requests
    verify(received, created.secret)
    assert deliveries()[0].status == DeliveryStatus.DELIVERED


def test_disabling_an_endpoint_stops_its_retries(admin, assigned_account, subscribe, receiver, run_worker):
    endpoint = subscribe(events=["account.status_changed"]).endpoint
    receiver.answers = [500]
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    services.update_endpoint(
        endpoint.id, {"url": endpoint.url, "events": endpoint.events, "active": False}, actor=admin
    )
    [delivery] = deliveries()
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sweep_webhook_deliveries()
    run_worker()
    db.session.refresh(delivery)
    assert (delivery.status, delivery.last_error, len(receiver.requests)) == (
        DeliveryStatus.FAILED,
        "endpoint disabled",
        1,
    )
