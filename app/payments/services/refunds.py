"""Refunds by an admin: through Stripe for card payments, recorded for manual ones."""

from decimal import Decimal

from sqlalchemy import select

from app.accounts import queries as account_queries
from app.audit import services as audit
from app.auth.models import Role, User
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.payments.models import Payment, PaymentMethod, Refund
from app.payments.services import ledger, stripe_api
from app.sensitive import refuse_sensitive
from app.templating import money

MAX_REASON = 500


def refund_payment(payment_id: int, amount: str, reason: str, idempotency_key: str, *, actor: User) -> Refund:
    """Refund part or all of a completed payment; the balance rises by exactly ``amount``.

    Raises PermissionDenied for non-admins, NotFound for another agency's payment, ValidationFailed for a bad
    amount, a missing reason or more than is left to refund; ProcessorUnavailable while Stripe is down.
    """
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only an agency admin can refund payments.")
    value, key = ledger.parse_amount(amount), ledger.check_idempotency_key(idempotency_key)
    text = (reason or "").strip()[:MAX_REASON]
    if not text:
        raise ValidationFailed("Give a reason for the refund.", {"reason": "Give a reason."})
    refuse_sensitive(text, "reason", "reason")
    payment = _get_payment(actor, payment_id)
    account = account_queries.get_account(actor, payment.account_id, for_update=True)
    payment = ledger.lock_payment(payment.id)
    done = db.session.scalars(
        select(Refund).where(Refund.agency_id == actor.agency_id, Refund.idempotency_key == key)
    ).first()
    if done is not None:
        return _same_refund(done, payment, value)
    _check_refundable(payment, value)
    processor_ref = _refund_at_stripe(payment, value, key) if payment.method == PaymentMethod.CARD else None
    refund = ledger.apply_refund(payment, account, value, text, actor, processor_ref=processor_ref, idempotency_key=key)
    changes = {"refunded_amount": {"old": str(payment.refunded_amount - value), "new": str(payment.refunded_amount)}}
    audit.record(actor, payment.agency_id, "payment.refunded", "payment", payment.id, changes)
    db.session.commit()
    return refund


def _same_refund(done: Refund, payment: Payment, amount: Decimal) -> Refund:
    """The refund a repeated submission refers to; its key reused for another payment or amount is refused."""
    if done.payment_id != payment.id:
        raise Conflict("This form was already used for another payment; reload the page.")
    if done.amount != amount:
        message = f"This idempotency key was already used for a refund of {done.amount}; reload the form."
        raise ValidationFailed(message)  # above the form: the key is a hidden field
    return done


def _get_payment(actor: User, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.agency_id != actor.agency_id:
        raise NotFound("Payment not found.")
    return payment


def _check_refundable(payment: Payment, value: Decimal) -> None:
    left = payment.refundable
    if left <= 0:
        raise ValidationFailed("Only a completed payment can be refunded.", {"amount": "Nothing left to refund."})
    if value > left:
        message = f"The refund is above the {money(left, payment.currency)} left to refund on this payment."
        raise ValidationFailed(message, {"amount": message})


def _refund_at_stripe(payment: Payment, value: Decimal, key: str) -> str:
    metadata = {"payment_id": str(payment.id), "debtflow_refund": "1"}
    refund = stripe_api.create_refund(payment.processor_ref, value, f"refund-{payment.agency_id}-{key}", metadata)
    return refund["id"]
