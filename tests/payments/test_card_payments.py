"""Card payments through localstripe: the request, the pay page, completion, refunds through Stripe."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.errors import ValidationFailed
from app.payments.models import PaymentStatus
from app.payments.services import refunds, stripe_payments
from app.timeutil import utcnow
from tests.payments.conftest import make_event
from tests.payments.helpers import balance, key


def request(account, amount, actor):
    return stripe_payments.request_card_payment(account.id, amount, key(), actor=actor)


def debtor_pays(stripe_client, payment, card="pm_card_visa"):
    """What Stripe.js does in the debtor's browser: attach a card to the intent and confirm it."""
    stripe_client.v1.payment_intents.update(payment.processor_ref, params={"payment_method": card})
    return stripe_client.v1.payment_intents.confirm(payment.processor_ref)


def test_request_creates_a_pending_intent_and_an_unguessable_expiring_link(assigned_account, collector, stripe_client):
    payment = request(assigned_account, "125.00", collector)
    intent = stripe_client.v1.payment_intents.retrieve(payment.processor_ref)
    assert intent.amount == 12500 and intent.currency == "usd"
    assert payment.status == PaymentStatus.PENDING and len(payment.pay_link_token) >= 40
    assert payment.pay_expires_at > utcnow() + timedelta(hours=71)
    assert balance(assigned_account) == Decimal("1000.00")


def test_the_database_holds_only_the_digest_of_the_pay_link_token(web, login, assigned_account, collector):
    from sqlalchemy import select, update

    from app import crypto
    from app.extensions import db
    from app.payments.models import Payment

    payment = request(assigned_account, "60.00", collector)
    token = payment.pay_link_token
    stored = db.session.scalar(select(Payment.pay_token).where(Payment.id == payment.id))
    assert stored == crypto.token_digest(token) and token not in stored
    assert web.get(f"/payments/pay/{stored}").status_code == 404  # the stored value is no link
    staff = login(collector).get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert f"/payments/pay/{token}" in staff  # staff still see the link: it is computed again, not stored
    db.session.execute(update(Payment).where(Payment.id == payment.id).values(pay_token=crypto.token_digest("old")))
    db.session.expire_all()
    staff = login(collector).get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert "Pay link sent" in staff and "/payments/pay/" not in staff  # a link from before 0017: only its digest
    assert web.get("/payments/pay/old").status_code == 200


def test_card_request_above_balance_is_refused_before_stripe(assigned_account, collector):
    with pytest.raises(ValidationFailed, match="above the current balance"):
        request(assigned_account, "1000.01", collector)


def test_pay_page_shows_stripe_js_and_the_client_secret_without_login(web, assigned_account, collector):
    payment = request(assigned_account, "80.00", collector)
    response = web.get(f"/payments/pay/{payment.pay_link_token}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "/js.stripe.com/v3/" in body
    assert f'data-secret="{payment.processor_ref}_secret_' in body and "$80.00" in body
    assert 'name="card' not in body  # no card field is ever posted to DebtFlow


def test_unknown_pay_link_is_404_and_expired_is_410(web, assigned_account, collector):
    assert web.get("/payments/pay/not-a-token").status_code == 404
    payment = request(assigned_account, "80.00", collector)
    payment.pay_expires_at = utcnow() - timedelta(minutes=1)
    response = web.get(f"/payments/pay/{payment.pay_link_token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_return_from_stripe_completes_the_payment_once(web, assigned_account, collector, stripe_client):
    payment = request(assigned_account, "200.00", collector)
    assert debtor_pays(stripe_client, payment).status == "succeeded"
    for _ in range(2):
        response = web.get(f"/payments/pay/{payment.pay_link_token}/done")
        assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    assert payment.status == PaymentStatus.COMPLETED and payment.commission_amount == Decimal("20.00")
    assert balance(assigned_account) == Decimal("800.00")


def test_declined_card_shows_the_failure_and_keeps_the_link_usable(web, assigned_account, collector, stripe_client):
    payment = request(assigned_account, "20.00", collector)
    with pytest.raises(Exception):  # noqa: B017 (localstripe answers a decline with a card error)
        debtor_pays(stripe_client, payment, card="pm_card_chargeCustomerFail")
    body = web.get(f"/payments/pay/{payment.pay_link_token}/done").get_data(as_text=True)
    assert 'id="pay-failure"' in body and 'id="pay-form"' in body
    assert payment.status == PaymentStatus.FAILED and balance(assigned_account) == Decimal("1000.00")


def test_card_refund_goes_through_stripe(web, assigned_account, collector, admin, stripe_client):
    payment = request(assigned_account, "200.00", collector)
    debtor_pays(stripe_client, payment)
    stripe_payments.sync_payment(payment.id)
    refund = refunds.refund_payment(payment.id, "75.00", "goodwill", key(), actor=admin)
    at_stripe = stripe_client.v1.refunds.retrieve(refund.processor_ref)
    assert at_stripe.amount == 7500 and at_stripe.payment_intent == payment.processor_ref
    assert balance(assigned_account) == Decimal("875.00")


def test_card_payments_off_without_a_secret_key(app, monkeypatch, assigned_account, collector, login):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    with pytest.raises(ValidationFailed, match="not configured"):
        request(assigned_account, "10", collector)
    body = login(collector).get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert 'id="card-disabled"' in body and "Record payment" in body


def test_refund_webhook_after_our_own_stripe_refund_changes_nothing(
    send_webhook, assigned_account, collector, admin, stripe_client
):
    payment = request(assigned_account, "200.00", collector)
    debtor_pays(stripe_client, payment)
    stripe_payments.sync_payment(payment.id)
    refunds.refund_payment(payment.id, "75.00", "goodwill", key(), actor=admin)
    charge = {"object": "charge", "id": "ch_x", "payment_intent": payment.processor_ref, "amount_refunded": 7500}
    assert send_webhook(make_event("charge.refunded", charge)).json == {"status": "processed"}
    assert payment.refunded_amount == Decimal("75.00") and balance(assigned_account) == Decimal("875.00")
    assert len(payment.refunds) == 1
