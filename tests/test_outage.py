"""A database outage: every route answers 503 with the app's own page (security headers included), never a bare
500, and the app serves again by itself once the database is back.

PostgreSQL is reached through a TCP proxy the test cuts and restores, as a network or server outage would; on
SQLite the database file is swapped for a directory, which SQLite cannot open.
"""

import re
import shutil
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from app import create_app
from app.config import test_config as make_test_config
from app.extensions import db as _db
from tests import factories as f
from tests.conftest import own_database
from tests.routes import every_route

# Static files and the liveness probe never query; the Stripe webhook refuses an unsigned delivery before it does.
NEEDS_NO_DATABASE = {"static", "ops.health", "payments_api.stripe_webhook"}


class TcpProxy:
    """A loopback TCP forwarder; ``stop`` drops the listener and every open connection, ``start`` listens again
    on the same port."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream, self.port = upstream, 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port, self._listener = listener.getsockname()[1], listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            doomed, self._open = [self._listener, *self._open], set()
        for sock in doomed:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
                server = socket.create_connection(self.upstream)
            except OSError:
                return
            with self._lock:
                self._open |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept() or recv() on it
    except OSError:
        pass
    sock.close()


class SqliteOutage:
    """The database file replaced by a directory of the same name, and back."""

    def __init__(self, path: Path):
        self.path, self.saved = path, path.with_suffix(".saved")

    def stop(self) -> None:
        self.path.rename(self.saved)
        self.path.mkdir()

    def start(self) -> None:
        shutil.rmtree(self.path)
        self.saved.rename(self.path)


@pytest.fixture
def db():
    """No per-test rollback: the outage app has a database of its own (overrides tests/conftest.py)."""
    yield None


@pytest.fixture
def outage(tmp_path):
    """(app, switch): the app on a database of its own, with one admin, and a switch with ``stop``/``start``."""
    with own_database(tmp_path, "outage") as url:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            switch, app_url = SqliteOutage(Path(parsed.database)), url
        else:
            switch = TcpProxy((parsed.host, parsed.port or 5432))
            switch.start()
            app_url = parsed.set(host="127.0.0.1", port=switch.port).render_as_string(hide_password=False)
        app = create_app(make_test_config(app_url))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            f.AdminFactory(username="outage.admin")
            _db.session.commit()
        yield app, switch
        with app.app_context():
            _db.engine.dispose()
        if isinstance(switch, TcpProxy):
            switch.stop()


def signed_in(app):
    """A client signed in as the outage app's admin, and its CSRF token."""
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": "outage.admin", "password": f.PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    return client, csrf_token(client)


def csrf_token(client) -> str:
    page = client.get("/account/password" if client.get_cookie("session") else "/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def cut(app, switch) -> None:
    switch.stop()
    if isinstance(switch, SqliteOutage):
        with app.app_context():
            _db.engine.dispose()  # SQLite has no server to lose: drop the open file handles as a restart would


def outage_problems(response) -> list[str]:
    """A 5xx other than our 503, a 503 without our page (or JSON for the API), a missing security header."""
    problems = []
    if response.status_code >= 500 and response.status_code != 503:
        problems.append(f"status {response.status_code}")
    body = response.get_data(as_text=True)
    if response.status_code == 503 and response.mimetype != "application/json" and 'id="unavailable"' not in body:
        problems.append("503 without the app's page")
    if "Content-Security-Policy" not in response.headers or "X-Content-Type-Options" not in response.headers:
        problems.append("no security headers")
    return problems


def sweep(app, client, token) -> list[tuple[str, str, object]]:
    return [
        (method, url, client.open(url, method=method, data={"csrf_token": token} if method != "GET" else None))
        for method, url in every_route(app)
    ]


def test_every_route_answers_503_with_the_app_page_while_the_database_is_down_and_recovers(outage):
    app, switch = outage
    admin_client, admin_token = signed_in(app)
    visitor = app.test_client()
    visitor_token = csrf_token(visitor)
    cut(app, switch)

    admin_replies = sweep(app, admin_client, admin_token)
    visitor_replies = sweep(app, visitor, visitor_token)
    problems = [f"{m} {u}: {p}" for m, u, r in admin_replies + visitor_replies for p in outage_problems(r)]
    assert problems == []
    with app.test_request_context():
        untouched = {
            app.url_map.bind("localhost").match(u, method=m)[0] for m, u, r in admin_replies if r.status_code != 503
        }
    assert untouched <= NEEDS_NO_DATABASE  # every page a signed-in user sees needs the database, and says so
    page = admin_client.get("/accounts/")
    assert page.headers["Retry-After"] and "briefly unavailable" in page.get_data(as_text=True)
    fragment = admin_client.get("/accounts/", headers={"HX-Request": "true", "HX-Target": "account-table"})
    assert fragment.status_code == 503 and fragment.headers["HX-Retarget"] == "#flash"
    assert "<html" not in fragment.get_data(as_text=True)

    switch.start()
    assert admin_client.get("/accounts/").status_code == 200  # the same session, served again
    assert signed_in(app)[0].get("/analytics/").status_code == 200  # and a new login writes its session row


def test_a_database_lost_during_a_request_gives_503_not_500_and_service_resumes(outage):
    app, switch = outage
    midway = {"cut": False}

    @app.before_request
    def lose_the_database_after_the_first_query():
        if midway.pop("cut", False):
            _db.session.execute(text("SELECT 1"))  # the request holds a live connection now
            cut(app, switch)

    client, _ = signed_in(app)
    midway["cut"] = True
    first = client.get("/accounts/")
    # PostgreSQL loses the connection under the request; SQLite's open file outlives the swap, so there that
    # request completes and the next one finds the file gone.
    assert first.status_code == (503 if isinstance(switch, TcpProxy) else 200)
    after = client.get("/accounts/")
    assert after.status_code == 503 and 'id="unavailable"' in after.get_data(as_text=True)
    switch.start()
    assert client.get("/accounts/").status_code == 200
