"""The debtor portal in a real browser at phone size (390 × 844): sign in from a link, pay part of the balance
through Stripe.js (localstripe's stand-in, as in ``test_pay_page``), sign in by facts without JavaScript, and
axe-core on every portal page in both languages."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import stripe
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Account
from app.accounts.states import Status
from app.agencies.models import Agency
from app.agencyday import local_today
from app.auth.models import User
from app.extensions import db
from app.payments.models import Payment, PaymentStatus
from app.plans.services import active_plan
from app.portal import access
from tests.browser.conftest import TIMEOUT_MS, Problems
from tests.browser.test_axe import AXE, BLOCKING, violations
from tests.browser.test_pay_page import THREE_D_SECURE_CARD, pay_app, stripe_url  # noqa: F401  (fixtures)
from tests.stripe_server import SECRET_KEY

PHONE = {"width": 390, "height": 844}
NARROWEST = {"width": 360, "height": 740}
# The pages these tests mean to reach with a refusal (a form's 422, the 404 of an account not the debtor's): the
# browser logs each as a failed load, which is no fault of the page.
EXPECTED_4XX = re.compile(r"responded with a status of (404|422) ")


@pytest.fixture(scope="module")
def debtor(pay_app):  # noqa: F811  (the fixture imported above)
    """One of Sarah's open accounts, its debtor's facts on file, and a portal link for it: (slug, account, link
    token, ZIP, balance)."""
    app, _ = pay_app
    with app.app_context():
        sarah = db.session.scalars(select(User).where(User.username == "sarah.mitchell")).one()
        stmt = select(Account).where(Account.assigned_collector_id == sarah.id, Account.status == Status.NEGOTIATING)
        account = db.session.scalars(stmt.order_by(Account.id.desc())).first()
        account.debtor.postal_code, account.debtor.date_of_birth = "10001", date(1975, 6, 1)
        db.session.commit()
        link = access.create_link(account.id, actor=sarah)
        facts = (sarah.agency.slug, account.external_ref, access.link_token(link), account.debtor.full_name.split()[-1])
        yield (*facts, account.id, account.current_balance)
        db.session.remove()


@pytest.fixture
def open_page(browser, pay_app):  # noqa: F811
    problems, contexts = Problems(), []

    def _open(java_script: bool = True, viewport: dict = PHONE):
        context = browser.new_context(base_url=pay_app[1], viewport=viewport, java_script_enabled=java_script)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield _open
    for context in contexts:
        context.close()
    unexpected = [item for item in problems.items if not EXPECTED_4XX.search(item)]
    assert unexpected == [], "\n".join(unexpected)


def latest_portal_payment(app, account_id: int) -> Payment:
    with app.app_context():
        stmt = select(Payment).where(Payment.account_id == account_id, Payment.via_portal.is_(True))
        payment = db.session.scalars(stmt.order_by(Payment.id.desc())).first()
        db.session.expunge(payment)
        return payment


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_debtor_signs_in_from_a_link_and_pays_part_of_the_balance(pay_app, open_page, debtor, stripe_url):  # noqa: F811
    app, _ = pay_app
    slug, ref, token, _, account_id, balance = debtor
    page = open_page()
    page.goto(f"/portal/{slug}/link/{token}")
    expect(page.get_by_role("heading", name="Your accounts")).to_be_visible()
    page.get_by_role("link", name=f"View and pay: Account {ref}").click()
    expect(page.locator("#balance")).to_have_text(f"${balance:,.2f}")
    page.get_by_label("Amount in dollars").fill("25.00")
    page.get_by_role("button", name="Continue to card details").click()
    expect(page.locator("#card-element input")).to_have_count(5)  # Stripe.js (the stand-in) mounted the card
    assert no_sideways_scroll(page)
    payment = latest_portal_payment(app, account_id)
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_url})
    card = client.v1.payment_methods.create(params={"type": "card", "card": THREE_D_SECURE_CARD})
    client.v1.payment_intents.update(payment.processor_ref, params={"payment_method": card.id})
    client.v1.payment_intents.confirm(payment.processor_ref)
    page.locator("#card-element input").first.fill("4000000000003220")
    page.get_by_role("button", name="Pay $25.00").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.locator("#pay-success")).to_contain_text("Thank you: your payment of $25.00 was received.")
    assert latest_portal_payment(app, account_id).status == PaymentStatus.COMPLETED
    page.goto(f"/portal/{slug}/accounts/{account_id}")
    expect(page.locator("#balance")).to_have_text(f"${balance - Decimal('25.00'):,.2f}")


def test_without_javascript_a_debtor_signs_in_by_facts_in_spanish_and_reaches_the_card_step(open_page, debtor):
    slug, ref, _, last_name, account_id, _ = debtor
    page = open_page(java_script=False, viewport=NARROWEST)
    page.goto(f"/portal/{slug}/")
    assert no_sideways_scroll(page)
    page.get_by_role("link", name="Español").click()
    page.get_by_label("Referencia de la cuenta").fill(ref)
    page.get_by_label("Apellido").fill(last_name)
    page.get_by_label("Código postal").fill("10001")
    page.get_by_label("Fecha de nacimiento (Opcional)").fill("1975-06-01")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name="Sus cuentas")).to_be_visible()
    assert no_sideways_scroll(page)
    page.goto(f"/portal/{slug}/accounts/{account_id}")
    page.get_by_label("Cantidad en dólares").fill("1.00")
    page.get_by_role("button", name="Continuar a los datos de la tarjeta").click()
    expect(page.locator(".field .error")).to_contain_text("Escriba una cantidad entre")
    assert no_sideways_scroll(page)


def test_the_sign_in_form_works_from_the_keyboard_alone(open_page, debtor):
    slug, ref, _, last_name, _, _ = debtor
    page = open_page()
    page.goto(f"/portal/{slug}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    for value in (ref, last_name, "10001"):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Tab")
    page.keyboard.type("06011975")  # Chromium's date field takes the digits in the locale's order (en-US)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your accounts")).to_be_visible()


def axe_here(page) -> list[str]:
    """The serious and critical axe findings on the page as it is now (after a form's answer, say)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def test_every_portal_page_has_no_serious_accessibility_violation(open_page, debtor):
    slug, _, token, _, account_id, _ = debtor
    page = open_page()
    found = violations(page, "/portal/") + violations(page, f"/portal/{slug}/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".field .error").first).to_be_visible()
    found += axe_here(page)  # the form with its errors
    page.goto(f"/portal/{slug}/link/{token}")
    for lang in ("es", "en"):
        found += violations(page, f"/portal/{slug}/accounts/?lang={lang}")
        found += violations(page, f"/portal/{slug}/accounts/{account_id}?lang={lang}")
        found += violations(page, f"/portal/{slug}/accounts/999999?lang={lang}")
        found += violations(page, f"/portal/{slug}/preferences?lang={lang}")
    page.goto(f"/portal/{slug}/accounts/{account_id}")
    page.get_by_label("Amount in dollars").fill("0.01")
    page.get_by_role("button", name="Continue to card details").click()
    expect(page.locator(".field .error")).to_be_visible()
    found += axe_here(page)  # the amount refused
    page.get_by_label("Amount in dollars").fill("5.00")
    page.get_by_role("button", name="Continue to card details").click()
    expect(page.locator("#card-element input")).to_have_count(5)
    found += axe_here(page)  # the card step, Stripe's element mounted
    assert found == []


@pytest.fixture(scope="module")
def plan_debtor(pay_app):  # noqa: F811
    """Another of Sarah's accounts in negotiation, without a plan (the dispute test holds ``debtor``'s): (slug,
    link token, account id)."""
    app, _ = pay_app
    with app.app_context():
        sarah = db.session.scalars(select(User).where(User.username == "sarah.mitchell")).one()
        stmt = select(Account).where(Account.assigned_collector_id == sarah.id, Account.status == Status.NEGOTIATING)
        free = [a for a in db.session.scalars(stmt.order_by(Account.id)) if active_plan(a) is None]
        account = free[0]
        link = access.create_link(account.id, actor=sarah)
        yield sarah.agency.slug, access.link_token(link), account.id
        db.session.remove()


def first_due_in(app, account_id: int, days: int) -> str:
    with app.app_context():
        agency = db.session.get(Agency, db.session.get(Account, account_id).agency_id)
        return (local_today(agency.timezone) + timedelta(days=days)).isoformat()


def test_without_javascript_at_360_px_the_plan_form_previews_the_schedule(pay_app, open_page, plan_debtor):  # noqa: F811
    """Choosing a plan needs no JavaScript and fits the narrowest phone; previewing writes nothing."""
    slug, token, account_id = plan_debtor
    page = open_page(java_script=False, viewport=NARROWEST)
    page.goto(f"/portal/{slug}/link/{token}")
    page.goto(f"/portal/{slug}/accounts/{account_id}?lang=es")
    page.get_by_label("Cada semana").check()
    page.get_by_label("Número de pagos").fill("0")
    page.get_by_label("Fecha del primer pago").fill(first_due_in(pay_app[0], account_id, 1))
    page.get_by_role("button", name="Ver el calendario").click()
    expect(page.locator("#count-error")).to_contain_text("El número de pagos debe estar entre 1 y 520.")
    assert no_sideways_scroll(page)
    page.get_by_label("Número de pagos").fill("12")
    page.get_by_role("button", name="Ver el calendario").click()
    expect(page.locator("#schedule tbody tr")).to_have_count(12)
    expect(page.get_by_role("button", name="Confirmar este plan")).to_be_visible()
    assert no_sideways_scroll(page)
    with pay_app[0].app_context():
        assert active_plan(db.session.get(Account, account_id)) is None
    page.goto(f"/portal/{slug}/accounts/?lang=en")


def test_a_debtor_sets_up_a_plan_with_autopay(pay_app, open_page, plan_debtor):  # noqa: F811
    """At phone size: the plan form, the schedule, confirm, save a card (Stripe.js stand-in, SetupIntent),
    authorize and turn autopay on; axe-core on each of these pages."""
    app, _ = pay_app
    slug, token, account_id = plan_debtor
    page, found = open_page(), []
    page.goto(f"/portal/{slug}/link/{token}")
    page.goto(f"/portal/{slug}/accounts/{account_id}")
    first = first_due_in(app, account_id, 2)
    page.get_by_label("Every two weeks").check()
    page.get_by_label("Number of payments").fill("4")
    page.get_by_label("Date of the first payment").fill(first)
    page.get_by_role("button", name="See the schedule").click()
    expect(page.get_by_role("heading", name="Your payment schedule")).to_be_visible()
    expect(page.locator("#schedule tbody tr")).to_have_count(4)
    assert no_sideways_scroll(page)
    found += axe_here(page)  # the schedule
    page.get_by_role("button", name="Confirm this plan").click()
    expect(page.get_by_role("status")).to_contain_text("Your plan is set up.")
    expect(page.locator("#plan tbody tr")).to_have_count(4)
    expect(page.locator("#plan")).to_contain_text(first)
    found += axe_here(page)  # the account page with its plan
    page.get_by_role("link", name="Autopay and saved cards").click()
    found += axe_here(page)  # no card yet
    page.get_by_role("button", name="Add a card").click()
    expect(page.locator("#card-element input")).to_have_count(5)  # Stripe.js (the stand-in) mounted the card
    assert no_sideways_scroll(page)
    found += axe_here(page)  # card entry
    for name, value in (("number", "4242424242424242"), ("exp_month", "12"), ("exp_year", "40"), ("cvc", "123")):
        page.locator(f"#card-element input[placeholder={name}]").fill(value)
    page.locator("#card-element input[placeholder=postal_code]").fill("10001")
    page.get_by_role("button", name="Save the card").click()
    expect(page.get_by_role("status")).to_contain_text("Your card is saved.")
    page.get_by_role("button", name="Turn on autopay").click()
    expect(page.locator(".agree .error")).to_contain_text("Tick the box to authorize the charges.")
    found += axe_here(page)  # the authorization, refused without the box ticked
    expect(page.locator("#authorization")).to_contain_text("up to 3 business days before a charge")
    page.get_by_label("I have read this authorization and I agree to it.").check()
    page.get_by_role("button", name="Turn on autopay").click()
    expect(page.locator("#autopay-status")).to_contain_text("Autopay is on")
    assert no_sideways_scroll(page)
    with app.app_context():
        plan = active_plan(db.session.get(Account, account_id))
        assert len(plan.instalments) == 4 and plan.autopay_card.payment_method_ref.startswith("pm_")
    assert found == []


def test_a_debtor_files_a_written_dispute_and_reads_that_collection_stops(open_page, debtor):
    """Last in the module: the account is on hold afterwards."""
    slug, _, token, _, account_id, _ = debtor
    page = open_page()
    page.goto(f"/portal/{slug}/link/{token}")
    page.goto(f"/portal/{slug}/accounts/{account_id}")
    page.get_by_label("I dispute this debt.").check()
    page.get_by_label("Amount you dispute, in dollars (optional)").fill("10.00")
    page.get_by_label("Tell us why (optional)").fill("The last charge is not mine.")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("We will not collect this debt")
    expect(page.locator("#dispute")).to_contain_text("Your dispute is being reviewed")
    assert no_sideways_scroll(page)
    assert axe_here(page) == []
