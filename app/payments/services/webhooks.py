"""Stripe webhooks: verify the signature, store the event id once, apply the event in one transaction.

Every handler is idempotent and order-independent: a payment's state only moves forward, a refund is applied as
the difference between Stripe's cumulative ``amount_refunded`` and ours, and a refund or dispute of a charge
implies that the charge succeeded (so it completes a payment whose success event has not arrived yet).
"""

import json

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.services import set_status
from app.accounts.states import Status
from app.audit import services as audit
from app.errors import DomainError
from app.extensions import db
from app.payments.models import APPLIED_STATUSES, Payment, PaymentStatus, StripeEvent
from app.payments.services import ledger
from app.payments.services.stripe_api import from_cents
from app.payments.services.stripe_payments import apply_intent_status
from app.timeutil import utcnow

TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE  # seconds


class InvalidWebhook(DomainError):
    """A webhook whose signature, timestamp or body is not acceptable: 400, and nothing changes."""

    status, code = 400, "invalid_webhook"


def verify_signature(payload: bytes, header: str, secret: str, now: float | None = None) -> dict:
    """The event, if ``header`` carries a valid v1 signature of ``payload`` made at most 5 minutes from now (the
    app's clock, unless ``now`` is given).

    Stripe's library checks the signature. The time window is ours and two-sided: the library refuses only
    old signatures, and a signature dated in the future is no more acceptable than a stale one.
    """
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        raise InvalidWebhook("Invalid signature.") from None
    if abs((utcnow().timestamp() if now is None else now) - _timestamp(header)) > TOLERANCE:
        raise InvalidWebhook("Signature timestamp outside the tolerance.")
    try:
        event = json.loads(payload)
    except ValueError:
        raise InvalidWebhook("Invalid payload.") from None
    if not isinstance(event, dict) or not event.get("id") or not isinstance(event.get("data"), dict):
        raise InvalidWebhook("Invalid payload.")
    return event


def _timestamp(header: str) -> int:
    """The ``t=`` of a header the library has verified, read as the library reads it (so it is a number)."""
    return next(int(parts[1]) for parts in (item.split("=", 2) for item in header.split(",")) if parts[0] == "t")


def handle_event(event: dict) -> str:
    """Apply a verified event once; returns ``processed``, ``duplicate`` or ``ignored``."""
    handler = HANDLERS.get(event.get("type", ""))
    obj = event["data"].get("object") or {}
    payment = _payment_for(obj) if handler else None
    record = StripeEvent(id=str(event["id"])[:255], type=str(event.get("type"))[:100])
    record.payment_id, record.agency_id = (payment.id, payment.agency_id) if payment else (None, None)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    if payment is not None:
        handler(payment, obj)
    db.session.commit()
    return "processed" if payment is not None else "ignored"


def _payment_for(obj: dict) -> Payment | None:
    intent_id = obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")
    if not intent_id:
        return None
    return db.session.scalars(select(Payment).where(Payment.processor_ref == str(intent_id))).first()


def _succeeded(payment: Payment, obj: dict) -> None:
    apply_intent_status(payment, "succeeded", "", expire=False)


def _failed(payment: Payment, obj: dict) -> None:
    error = (obj.get("last_payment_error") or {}).get("message") or "Card payment failed"
    account, payment = ledger.lock_account_of(payment)
    if payment.status == PaymentStatus.PENDING:
        ledger.fail(payment, error)
        audit.record(None, payment.agency_id, "payment.failed", "payment", payment.id, {"status": {"new": "failed"}})


def _refunded(payment: Payment, obj: dict) -> None:
    """Record what Stripe refunded beyond what we already know (e.g. a refund made in the Stripe dashboard)."""
    _succeeded(payment, obj)
    account, payment = ledger.lock_account_of(payment)
    missing = min(from_cents(int(obj.get("amount_refunded") or 0)), payment.amount) - payment.refunded_amount
    if missing <= 0 or payment.status not in APPLIED_STATUSES:
        return
    refunds = (obj.get("refunds") or {}).get("data") or []
    ref = refunds[0].get("id") if len(refunds) == 1 else None
    ledger.apply_refund(payment, account, missing, "Refunded in Stripe", None, processor_ref=ref)
    changes = {"refunded_amount": {"old": str(payment.refunded_amount - missing), "new": str(payment.refunded_amount)}}
    audit.record(None, payment.agency_id, "payment.refunded", "payment", payment.id, changes)


def _disputed(payment: Payment, obj: dict) -> None:
    """A dispute (chargeback) moves the account to disputed; the charge itself had succeeded."""
    _succeeded(payment, obj)
    account, payment = ledger.lock_account_of(payment)
    if account.status in (Status.DISPUTED, Status.CLOSED):
        return
    note = f"card payment disputed at Stripe ({obj.get('reason') or 'no reason given'}, {obj.get('id', '-')})"
    set_status(account, Status.DISPUTED, None, note=note, system="stripe_dispute")


HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "charge.refunded": _refunded,
    "charge.dispute.created": _disputed,
}
