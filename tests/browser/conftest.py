"""Browser fixtures: the demo agency served by a live server, and headless Chromium driven by Playwright.

The live server runs in another thread with its own connections, so it needs committed data in a database of
its own: these tests replace the per-test rollback ``db`` fixture with a no-op and seed the demo once.
"""

import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import User
from app.config import test_config
from app.extensions import db as _db
from tests.conftest import own_database

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "Chromium not installed at /usr/bin/chromium (apt-get install chromium)"
# Headless as root on a closed network: no sandbox, GPU or background connections to Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


@pytest.fixture
def db():
    """No per-test rollback: the live server must see committed data (overrides tests/conftest.py)."""
    yield None


@pytest.fixture(scope="package")
def live_database_url(tmp_path_factory):
    with own_database(tmp_path_factory.mktemp("live"), "live") as url:
        yield url


@pytest.fixture(scope="package")
def live_app(live_database_url):
    """The app the live server serves, on the demo data; its context lets a test prepare more (``enrol_in_mfa``)."""
    from app.demo import seed_demo

    app = create_app(test_config(live_database_url))
    with app.app_context():
        upgrade()
        seed_demo()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="package")
def live_server(live_app):
    """The demo agency served over HTTP on a free loopback port; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="package")
def enrol_in_mfa(live_app):
    """Turn MFA on for a demo user of the live server, by username and password; returns the TOTP secret.

    Sign in with ``pyotp.TOTP(secret).now()`` as the second step (the enrolment used the previous step's code).
    """
    from tests.factories import enrol_mfa

    def _enrol(username: str, password: str) -> str:
        with live_app.app_context():
            user = _db.session.scalars(select(User).where(User.username == username)).one()
            secret = enrol_mfa(user, password)
            _db.session.remove()
        return secret

    return _enrol


# Package scope: a running sync Playwright holds an asyncio loop, so it must stop before other packages' tests.
@pytest.fixture(scope="package")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Registered before any page script runs; each violation is reported to the test through an exposed function.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => window.reportCspViolation(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline code"} at ${e.sourceFile}:${e.lineNumber}`));
"""


class Problems:
    """What a page reported that a user would call broken: console errors, uncaught exceptions, 5xx replies, and
    any Content-Security-Policy violation. ``messages`` keeps every console message, of any level."""

    def __init__(self):
        self.items: list[str] = []
        self.messages: list[str] = []

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on("response", self._response)
        page.expose_function("reportCspViolation", lambda text: self.items.append(f"CSP violation: {text}"))
        page.add_init_script(CSP_LISTENER)

    def _console(self, message) -> None:
        text = f"console {message.type}: {message.text} at {message.location.get('url')}"
        self.messages.append(text)
        if message.type == "error":
            self.items.append(text)

    def _response(self, response) -> None:
        if response.status >= 500:
            self.items.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def problems():
    return Problems()


@pytest.fixture
def new_page(browser, live_server, problems):
    """Open a page in a fresh browser context (own cookies); every page is checked for problems at the end."""
    contexts = []

    def _new_page(java_script: bool = True):
        context = browser.new_context(base_url=live_server, java_script_enabled=java_script)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert problems.items == [], "\n".join(problems.items)


@pytest.fixture
def page(new_page):
    return new_page()
