"""Payment fixtures: a real localstripe server on loopback, Stripe settings pointing at it, signed webhooks."""

import json
import uuid

import pytest
import stripe

from app.payments.services.breaker import stripe_breaker
from app.timeutil import utcnow
from tests.stripe_server import SECRET_KEY, localstripe, stripe_settings

WEBHOOK_SECRET = "whsec_test_" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """localstripe on a free loopback port for the whole session."""
    with localstripe(tmp_path_factory.mktemp("localstripe") / "server.log") as url:
        yield url


@pytest.fixture(autouse=True)
def stripe_config(app, localstripe_url, monkeypatch):
    """Card payments on, against localstripe; the breaker starts closed in every test."""
    for name, value in stripe_settings(localstripe_url, WEBHOOK_SECRET).items():
        monkeypatch.setitem(app.config, name, value)
    with app.app_context():
        stripe_breaker().store.close()
    yield
    with app.app_context():
        stripe_breaker().store.close()


@pytest.fixture
def stripe_client(localstripe_url) -> stripe.StripeClient:
    """A Stripe client playing the debtor's browser and the Stripe dashboard in tests."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe_url})


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header, made by Stripe's library as Stripe signs its webhooks."""
    stamp = int(utcnow().timestamp()) if timestamp is None else timestamp  # the app's clock, as verification
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=stamp)


def make_event(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    event = {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": event_type,
        "data": {"object": obj},
    }
    return json.dumps(event).encode()


@pytest.fixture
def send_webhook(client):
    """POST a signed event to the webhook endpoint as Stripe would."""

    def _send(payload: bytes, signature: str | None = None):
        headers = {"Stripe-Signature": signature if signature is not None else sign(payload)}
        return client.post(
            "/api/v1/payments/webhook/stripe/", data=payload, headers=headers, content_type="application/json"
        )

    return _send
