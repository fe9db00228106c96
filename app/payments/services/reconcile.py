"""Reconciliation: ask Stripe about card payments pending too long, so a lost webhook cannot strand one."""

import logging
from datetime import timedelta

from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.payments.models import Payment, PaymentMethod, PaymentStatus
from app.payments.services import stripe_api
from app.payments.services.stripe_payments import apply_intent_status
from app.timeutil import utcnow

log = logging.getLogger(__name__)
PENDING_FOR = timedelta(minutes=30)
BATCH = 200


def reconcile_pending_payments(limit: int = BATCH) -> dict[str, int]:
    """Settle card payments pending for over 30 minutes from their intents; expired links are cancelled.

    One commit per payment, so a Stripe outage part-way keeps the work done; returns counts by outcome.
    """
    if not stripe_api.card_payments_enabled():
        return {}
    stmt = (
        select(Payment.id)
        .where(
            Payment.method == PaymentMethod.CARD,
            Payment.status == PaymentStatus.PENDING,
            Payment.processor_ref.is_not(None),
            Payment.created_at < utcnow() - PENDING_FOR,
        )
        .order_by(Payment.created_at)
        .limit(limit)
    )
    counts: dict[str, int] = {}
    for payment_id in db.session.scalars(stmt).all():
        outcome = _reconcile_one(payment_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _reconcile_one(payment_id: int) -> str:
    payment = db.session.get(Payment, payment_id)
    expired = payment.pay_expires_at is not None and utcnow() >= payment.pay_expires_at
    try:
        intent = stripe_api.retrieve_intent(payment.processor_ref)
        if expired and intent["status"] in ("requires_payment_method", "requires_confirmation", "requires_action"):
            intent = stripe_api.cancel_intent(payment.processor_ref)
    except DomainError as exc:  # Stripe refused or is down: leave it pending for the next run
        log.warning("reconcile payment %s: %s", payment_id, exc.message)
        db.session.rollback()
        return "error"
    error = (intent.get("last_payment_error") or {}).get("message") or ""
    apply_intent_status(payment, intent["status"], error, expire=expired and intent["status"] != "processing")
    db.session.commit()
    return payment.status.value
