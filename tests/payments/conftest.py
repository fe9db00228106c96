"""Payment fixtures: a real localstripe server on loopback, Stripe settings pointing at it, signed webhooks."""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import stripe

from app.payments.services.breaker import stripe_breaker

WEBHOOK_SECRET = "whsec_test_" + uuid.uuid4().hex


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """localstripe (a stateful fake Stripe API) on a free loopback port, for the whole session."""
    port = _free_port()
    exe = Path(sys.executable).parent / "localstripe"
    log = (tmp_path_factory.mktemp("localstripe") / "server.log").open("w")
    proc = subprocess.Popen([str(exe), "--port", str(port), "--from-scratch"], stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 (our own venv binary)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("localstripe did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def stripe_config(app, localstripe_url, monkeypatch):
    """Card payments on, against localstripe; the breaker starts closed in every test."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_debtflow")
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_debtflow")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", localstripe_url)
    monkeypatch.setitem(app.config, "STRIPE_JS_URL", f"{localstripe_url}/js.stripe.com/v3/")
    with app.app_context():
        stripe_breaker().store.close()
    yield
    with app.app_context():
        stripe_breaker().store.close()


@pytest.fixture
def stripe_client(localstripe_url) -> stripe.StripeClient:
    """A Stripe client playing the debtor's browser and the Stripe dashboard in tests."""
    return stripe.StripeClient("sk_test_debtflow", base_addresses={"api": localstripe_url})


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header made with Stripe's scheme: HMAC-SHA256 over ``"{t}.{payload}"``."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


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
