"""Fixtures for the webhook tests: a real HTTP receiver on loopback, endpoints made through the service, and the
RQ jobs run by a real worker (the fixtures of tests/jobs)."""

import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.webhooks import services
from app.webhooks.models import EVENTS
from tests.jobs.conftest import queued_jobs, run_worker  # noqa: F401  (queued_jobs is autouse)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # status codes to answer, in order; then 200


@pytest.fixture
def receiver():
    """An HTTP server in a thread on 127.0.0.1 that records each POST and answers the queued status codes."""
    yield from serve("127.0.0.1")


@pytest.fixture
def receiver6():
    """The same on the IPv6 loopback address."""
    yield from serve("::1")


def serve(host: str):
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server hook's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.answers.pop(0) if state.answers else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # keep the test output quiet
            pass

    server_class = type("Server", (ThreadingHTTPServer,), {"address_family": socket.getaddrinfo(host, 0)[0][0]})
    server = server_class((host, 0), Handler)
    netloc = f"[{host}]" if ":" in host else host
    state.url = f"http://{netloc}:{server.server_address[1]}/hooks/debtflow"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def subscribe(admin, receiver):
    """Subscribe the receiver to some events (all by default); returns the endpoint and its secret."""

    def _subscribe(events=EVENTS, personal: bool = False, actor=None):
        values = {"url": receiver.url, "events": list(events), "include_personal_data": personal, "active": True}
        return services.create_endpoint(values, actor=actor or admin)

    return _subscribe


def verify(received: Received, secret: str) -> None:
    """Check the signature the way a receiver would: HMAC-SHA256 of "<t>.<body>" under the secret."""
    parts = dict(item.split("=", 1) for item in received.headers["debtflow-signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
