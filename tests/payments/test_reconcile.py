"""Reconciliation: payments pending over 30 minutes are settled from Stripe, so a lost webhook strands nothing."""

from datetime import timedelta
from decimal import Decimal

from app.payments.models import PaymentStatus
from app.payments.services import stripe_payments
from app.queue import enqueue
from app.timeutil import utcnow
from tests.payments.helpers import balance, key


def old_request(account, amount, actor, age=timedelta(minutes=31)):
    payment = stripe_payments.request_card_payment(account.id, amount, key(), actor=actor)
    payment.created_at = utcnow() - age
    return payment


def test_job_completes_a_paid_intent_whose_webhook_was_lost(assigned_account, collector, stripe_client):
    paid = old_request(assigned_account, "100.00", collector)
    stripe_client.v1.payment_intents.update(paid.processor_ref, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(paid.processor_ref)
    waiting = old_request(assigned_account, "50.00", collector)
    recent = old_request(assigned_account, "25.00", collector, age=timedelta(minutes=5))
    stripe_client.v1.payment_intents.update(recent.processor_ref, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(recent.processor_ref)
    enqueue("jobs.payments.reconcile_pending_payments")
    assert paid.status == PaymentStatus.COMPLETED and balance(assigned_account) == Decimal("900.00")
    assert waiting.status == PaymentStatus.PENDING  # the debtor may still pay: the link is live
    assert recent.status == PaymentStatus.PENDING  # too recent: the webhook may still come


def test_expired_links_are_cancelled_at_stripe_and_failed(assigned_account, collector, stripe_client):
    payment = old_request(assigned_account, "100.00", collector)
    payment.pay_expires_at = utcnow() - timedelta(minutes=1)
    enqueue("jobs.payments.reconcile_pending_payments")
    assert payment.status == PaymentStatus.FAILED and "expired" in payment.failure_reason
    assert stripe_client.v1.payment_intents.retrieve(payment.processor_ref).status == "canceled"
    assert balance(assigned_account) == Decimal("1000.00")


def test_cli_runs_the_same_reconciliation(app, assigned_account, collector, stripe_client):
    payment = old_request(assigned_account, "10.00", collector)
    stripe_client.v1.payment_intents.update(payment.processor_ref, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(payment.processor_ref)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "1 completed" in result.output
