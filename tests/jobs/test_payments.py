"""The reconciliation job (jobs/payments.py) queued through app.queue and run by a real worker."""

from datetime import timedelta
from decimal import Decimal

import stripe
from rq.job import JobStatus as RqStatus

from app.payments.models import PaymentStatus
from app.payments.services import stripe_payments
from app.queue import enqueue
from app.timeutil import utcnow
from tests.jobs.conftest import rq_job
from tests.payments.helpers import balance, key
from tests.stripe_server import SECRET_KEY


def test_reconciliation_settles_a_paid_intent_whose_webhook_was_lost(
    card_payments, assigned_account, collector, run_worker
):
    payment = stripe_payments.request_card_payment(assigned_account.id, "100.00", key(), actor=collector)
    payment.created_at = utcnow() - timedelta(minutes=31)
    debtor = stripe.StripeClient(SECRET_KEY, base_addresses={"api": card_payments})
    debtor.v1.payment_intents.update(payment.processor_ref, params={"payment_method": "pm_card_visa"})
    debtor.v1.payment_intents.confirm(payment.processor_ref)
    rq_id = enqueue("jobs.payments.reconcile_pending_payments")
    assert rq_job(rq_id).get_status() == RqStatus.QUEUED and payment.status == PaymentStatus.PENDING

    run_worker()

    assert payment.status == PaymentStatus.COMPLETED and balance(assigned_account) == Decimal("900.00")
    done = rq_job(rq_id)
    assert done.get_status() == RqStatus.FINISHED and done.return_value() == {"completed": 1}


def test_reconciliation_without_card_payments_does_nothing(run_worker):
    rq_id = enqueue("jobs.payments.reconcile_pending_payments")
    run_worker()
    assert rq_job(rq_id).get_status() == RqStatus.FINISHED and rq_job(rq_id).return_value() == {}
