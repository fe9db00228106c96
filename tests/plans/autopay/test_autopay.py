"""Autopay against localstripe: a card saved with a SetupIntent, instalments charged off-session on their due date,
a declined charge retried once after 3 days, then the instalment missed and the plan broken."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.agencyday import day_start
from app.errors import NotFound, ValidationFailed
from app.payments.models import Payment, PaymentStatus
from app.plans import autopay, services
from app.plans.models import InstalmentState, PlanState
from jobs.plans import run_autopay
from tests.factories import db
from tests.plans.conftest import actions, plan_terms, refreshed, timeline

D = Decimal
GOOD_CARD, DECLINED_CARD = "4242424242424242", "4000000000000341"  # the second saves, then every charge declines


def saved_card(stripe_client, account, actor, number: str = GOOD_CARD):
    """The collector's side (start), the debtor's browser confirming with Stripe Elements, then the return."""
    setup = autopay.start_card_setup(account.id, actor=actor)
    card = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    method = stripe_client.v1.payment_methods.create(params={"type": "card", "card": card})
    stripe_client.v1.setup_intents.confirm(setup.setup_intent_id, params={"payment_method": method.id})
    return autopay.save_card(account.id, setup.setup_intent_id, actor=actor)


def autopay_plan(stripe_client, account, actor, agency, number: str = GOOD_CARD):
    plan = services.create_plan(account.id, plan_terms(agency, total="300.00", count=3), actor=actor)
    card = saved_card(stripe_client, account, actor, number)
    return autopay.set_autopay(plan.id, card.id, actor=actor)


def on(day, agency, hours: int = 12):
    return day_start(day, agency.timezone) + timedelta(hours=hours)


def card_payments(account):
    return list(db.session.scalars(db.select(Payment).where(Payment.account_id == account.id).order_by(Payment.id)))


def test_a_card_is_saved_from_a_succeeded_setup_intent(stripe_client, negotiating, collector):
    card = saved_card(stripe_client, negotiating, collector)
    assert card.customer_ref.startswith("cus_") and card.payment_method_ref.startswith("pm_")
    assert autopay.saved_cards(negotiating) == [card] and "Card saved for autopay" in timeline(negotiating)
    assert autopay.save_card(negotiating.id, card.setup_intent_ref, actor=collector) is card  # saved once


def test_an_unconfirmed_or_foreign_setup_intent_saves_nothing(stripe_client, negotiating, collector, foreign):
    setup = autopay.start_card_setup(negotiating.id, actor=collector)
    with pytest.raises(ValidationFailed):
        autopay.save_card(negotiating.id, setup.setup_intent_id, actor=collector)
    other = autopay.start_card_setup(foreign.account.id, actor=foreign.admin)
    with pytest.raises(NotFound):
        autopay.save_card(negotiating.id, other.setup_intent_id, actor=collector)
    with pytest.raises(NotFound):
        autopay.start_card_setup(negotiating.id, actor=foreign.admin)
    assert autopay.saved_cards(negotiating) == []


def test_an_instalment_is_charged_on_its_due_date_and_applied(stripe_client, negotiating, collector, agency):
    plan = autopay_plan(stripe_client, negotiating, collector, agency)
    first = plan.instalments[0]
    assert autopay.charge_due_instalments(on(first.due_on - timedelta(days=1), agency)) == {}
    assert autopay.charge_due_instalments(on(first.due_on, agency)).get("paid") == 1
    (payment,) = card_payments(negotiating)
    assert payment.status == PaymentStatus.COMPLETED and payment.amount == D("100.00")
    assert payment.processor_ref.startswith("pi_") and payment.created_by_id is None
    assert refreshed(first).state == InstalmentState.PAID and refreshed(negotiating).current_balance == D("900.00")
    assert autopay.charge_due_instalments(on(first.due_on, agency, 18)).get("paid") is None  # once


def test_a_declined_charge_is_retried_once_after_3_days_then_missed(stripe_client, negotiating, collector, agency):
    plan = autopay_plan(stripe_client, negotiating, collector, agency, DECLINED_CARD)
    first = plan.instalments[0]
    assert autopay.charge_due_instalments(on(first.due_on, agency)).get("declined") == 1
    assert refreshed(first).retry_on == first.due_on + timedelta(days=3) and first.charge_attempts == 1
    assert autopay.charge_due_instalments(on(first.due_on + timedelta(days=2), agency)).get("declined") is None
    assert refreshed(plan).state == PlanState.ACTIVE
    assert autopay.charge_due_instalments(on(first.due_on + timedelta(days=3), agency)).get("missed") == 1
    assert refreshed(first).state == InstalmentState.MISSED and refreshed(plan).state == PlanState.BROKEN
    assert [p.status for p in card_payments(negotiating)] == [PaymentStatus.FAILED, PaymentStatus.FAILED]
    assert refreshed(negotiating).plan_broken and negotiating.current_balance == D("1000.00")


def test_autopay_only_on_an_active_plan_with_the_accounts_own_card(
    stripe_client, negotiating, collector, agency, foreign
):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    other_card = saved_card(stripe_client, foreign.account, foreign.admin)
    with pytest.raises(NotFound):
        autopay.set_autopay(plan.id, other_card.id, actor=collector)
    with pytest.raises(NotFound):
        autopay.set_autopay(plan.id, None, actor=foreign.admin)


def test_the_job_charges(stripe_client, negotiating, collector, agency):
    autopay_plan(stripe_client, negotiating, collector, agency)
    assert run_autopay() == {}  # the first instalment is due tomorrow


def test_the_account_page_saves_a_card_and_sets_autopay(login, stripe_client, negotiating, collector, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    web = login(collector)
    assert "Save a card for autopay" in web.get(f"/accounts/{negotiating.id}").get_data(as_text=True)
    page = web.post(f"/plans/accounts/{negotiating.id}/card")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="card-setup-form"' in html and "js/card.js" in html
    secret = html.split('data-secret="')[1].split('"')[0]
    setup_id = secret.split("_secret_")[0]
    card = {"number": GOOD_CARD, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    method = stripe_client.v1.payment_methods.create(params={"type": "card", "card": card})
    stripe_client.v1.setup_intents.confirm(setup_id, params={"payment_method": method.id})
    done = web.get(f"/plans/accounts/{negotiating.id}/card/done?setup_intent={setup_id}")
    assert done.status_code == 303
    (saved,) = autopay.saved_cards(negotiating)
    assert web.post(f"/plans/{plan.id}/autopay", {"card_id": str(saved.id)}).status_code == 303
    assert refreshed(plan).autopay_card_id == saved.id
    assert web.get(f"/plans/accounts/{negotiating.id}/card/done?setup_intent=seti_nope").status_code == 404


def test_removing_a_saved_card_stops_autopay_and_is_audited(stripe_client, negotiating, collector, agency):
    plan = autopay_plan(stripe_client, negotiating, collector, agency)
    card = plan.autopay_card
    autopay.remove_card(negotiating, card.id, collector)
    db.session.commit()
    assert autopay.saved_cards(negotiating) == [] and refreshed(plan).autopay_card_id is None
    assert refreshed(card).removed_at is not None  # the row stays: payments and the audit trail name it
    assert stripe_client.v1.payment_methods.retrieve(card.payment_method_ref).customer is None  # detached
    assert actions()[-2:] == ["plan.autopay_set", "card.removed"]
    assert timeline(negotiating)[-2:] == ["Autopay off", "Saved card removed: card"]
    with pytest.raises(NotFound):
        autopay.remove_card(negotiating, card.id, collector)  # already removed
    assert autopay.charge_due_instalments(on(plan.instalments[0].due_on, agency)) == {}  # nothing charged
