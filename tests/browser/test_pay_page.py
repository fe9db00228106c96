"""The debtor's pay page in a real browser, with localstripe's offline Stripe.js stand-in.

The stand-in's ``confirmCardPayment`` does not send the typed card to localstripe (it only runs a 3-D Secure
step on an intent that already has a card). So the test gives the intent a 3-D Secure test card through the API,
as Stripe would hold the card the debtor typed; the browser then does the rest for real: loads Stripe.js from
the stand-in, mounts the card element, confirms (the 3-D Secure dialog), follows the return URL, and DebtFlow
asks Stripe for the outcome.
"""

import threading
import time
import urllib.parse
import urllib.request

import pytest
import stripe
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.accounts.models import Account
from app.accounts.states import Status
from app.auth.models import User
from app.config import test_config as make_test_config
from app.extensions import db
from app.payments.models import Payment, PaymentStatus
from app.payments.services import stripe_payments
from tests.browser.conftest import TIMEOUT_MS, Problems
from tests.stripe_server import SECRET_KEY, localstripe, stripe_settings

THREE_D_SECURE_CARD = {"number": "4000000000003220", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


@pytest.fixture(scope="module")
def stripe_url(tmp_path_factory):
    with localstripe(tmp_path_factory.mktemp("ls") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def pay_app(live_database_url, stripe_url):
    """The demo app with card payments on (localstripe), served on a free loopback port."""
    from app.demo import seed_demo

    app = create_app({**make_test_config(live_database_url), **stripe_settings(stripe_url, "whsec_browser")})
    with app.app_context():
        upgrade()
        seed_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def request_payment(app, amount: str) -> tuple[int, str, str]:
    """Sarah asks one of her open accounts for a card payment; returns (payment id, token, intent id)."""
    with app.app_context():
        sarah = db.session.scalars(select(User).where(User.username == "sarah.mitchell")).one()
        stmt = select(Account).where(Account.assigned_collector_id == sarah.id, Account.status == Status.NEGOTIATING)
        account = db.session.scalars(stmt.order_by(Account.id)).first()
        payment = stripe_payments.request_card_payment(account.id, amount, f"browser-{amount}-{id(app):x}", actor=sarah)
        return payment.id, payment.pay_link_token, payment.processor_ref


def payment_status(app, payment_id: int) -> PaymentStatus:
    with app.app_context():
        return db.session.get(Payment, payment_id).status


@pytest.fixture
def pay_page(browser, pay_app):
    problems, contexts = Problems(), []

    def _open(token: str):
        context = browser.new_context(base_url=pay_app[1])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        page.goto(f"/payments/pay/{token}")
        return page

    yield _open
    for context in contexts:
        context.close()
    assert problems.items == [], "\n".join(problems.items)


def test_debtor_pays_through_stripe_js_and_sees_the_success_state(pay_app, pay_page, stripe_url):
    app, _ = pay_app
    payment_id, token, intent_id = request_payment(app, "42.00")
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_url})
    card = client.v1.payment_methods.create(params={"type": "card", "card": THREE_D_SECURE_CARD})
    client.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
    assert client.v1.payment_intents.confirm(intent_id).status == "requires_action"
    page = pay_page(token)
    expect(page.locator("#card-element input")).to_have_count(5)  # the stand-in's card element mounted
    page.locator("#card-element input").first.fill("4000000000003220")
    page.get_by_role("button", name="Pay $42.00").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.locator("#pay-success")).to_contain_text("Thank you")
    assert payment_status(app, payment_id) == PaymentStatus.COMPLETED


def test_a_failed_authentication_shows_the_error_and_leaves_the_payment_pending(pay_app, pay_page, stripe_url):
    app, _ = pay_app
    payment_id, token, intent_id = request_payment(app, "17.00")
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_url})
    card = client.v1.payment_methods.create(params={"type": "card", "card": THREE_D_SECURE_CARD})
    client.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
    client.v1.payment_intents.confirm(intent_id)
    page = pay_page(token)
    page.get_by_role("button", name="Pay $17.00").click()
    page.get_by_role("button", name="Fail authentication").click()
    page.wait_for_url("**/done")
    expect(page.locator("#pay-failure")).to_be_visible()
    expect(page.locator("#pay-form")).to_be_visible()  # the debtor may try again
    assert payment_status(app, payment_id) == PaymentStatus.FAILED


def test_localstripe_delivers_a_signed_webhook_that_completes_the_payment(pay_app, stripe_url):
    """Stripe's own delivery (localstripe signs with the endpoint secret) reaches the webhook and is accepted."""
    app, base = pay_app
    hook = {"url": f"{base}/api/v1/payments/webhook/stripe/", "secret": "whsec_browser"}
    body = urllib.parse.urlencode(hook).encode()
    with urllib.request.urlopen(f"{stripe_url}/_config/webhooks/debtflow", data=body, timeout=5) as response:  # noqa: S310
        assert response.status == 200
    payment_id, _, intent_id = request_payment(app, "9.00")
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_url})
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    client.v1.payment_intents.confirm(intent_id)
    deadline = time.monotonic() + 10
    while payment_status(app, payment_id) != PaymentStatus.COMPLETED and time.monotonic() < deadline:
        time.sleep(0.2)
    assert payment_status(app, payment_id) == PaymentStatus.COMPLETED


def test_the_pay_page_runs_stripe_js_under_a_csp_that_names_stripe_for_this_page_only(pay_app, pay_page, stripe_url):
    _, token, _ = request_payment(pay_app[0], "5.00")
    page = pay_page(token)  # the fixture fails the test on any CSP violation or console error
    expect(page.locator("#card-element input")).to_have_count(5)  # Stripe.js and static/js/card.js both ran
    header = page.request.get(f"/payments/pay/{token}").headers["content-security-policy"]
    pay_policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert pay_policy["script-src"].startswith("'self' 'nonce-") and stripe_url in pay_policy["script-src"]
    assert stripe_url in pay_policy["connect-src"] and stripe_url in pay_policy["frame-src"]
    assert stripe_url not in page.request.get("/login").headers["content-security-policy"]
