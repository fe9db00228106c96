"""Card payments: a payment request becomes a Stripe PaymentIntent and a pay link for the debtor.

Card details go from the debtor's browser to Stripe (Stripe.js); DebtFlow only ever sees the intent. The payment
stays pending until Stripe says the intent succeeded (webhook, the pay page's return, or reconciliation).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app import crypto
from app.accounts import queries as account_queries
from app.accounts.models import Account
from app.audit import services as audit
from app.auth.models import User
from app.compliance import holds
from app.errors import NotFound
from app.extensions import db
from app.payments.models import Payment, PaymentMethod, PaymentStatus, pay_link_token
from app.payments.services import ledger, stripe_api
from app.payments.services.breaker import ProcessorUnavailable
from app.payments.services.record import same_request, snapshot, write_once
from app.timeutil import utcnow


def request_card_payment(account_id: int, amount: str, idempotency_key: str, *, actor: User) -> Payment:
    """Create a pending card payment, its PaymentIntent (same idempotency key) and an expiring pay link.

    Raises NotFound (foreign account), ValidationFailed (bad amount, card payments off, Stripe refusal),
    Conflict (the account is on collection hold) and ProcessorUnavailable (503) while Stripe is down or the
    breaker is open.
    """
    value, key = ledger.parse_amount(amount), ledger.check_idempotency_key(idempotency_key)
    account = account_queries.get_account(actor, account_id)
    holds.refuse_payment_request(account)
    return open_card_payment(account, value, key, actor)


def open_card_payment(account: Account, value: Decimal, key: str, actor: User | None, **fields) -> Payment:
    """The card payment, intent and pay link of :func:`request_card_payment` on an account already checked as
    the caller's; ``actor`` None is the debtor (the portal, which passes ``via_portal=True`` in ``fields``)."""
    existing = ledger.find_by_key(account.agency_id, key)
    if existing is not None:
        return same_request(existing, account.id, value, PaymentMethod.CARD)
    currency = ledger.account_currency(account)
    ledger.check_within_balance(account, value, currency)
    metadata = {"account_id": str(account.id), "agency_id": str(account.agency_id), "idempotency_key": key}
    intent = stripe_api.create_intent(value, currency, metadata, idempotency_key=f"pay-{account.agency_id}-{key}")
    token = pay_link_token(intent["id"])
    link = {"pay_token": crypto.token_digest(token), "pay_expires_at": utcnow() + _link_ttl()}

    def write() -> Payment:
        ref = intent["id"]
        payment = ledger.new_payment(
            account, value, PaymentMethod.CARD, key, actor, processor_ref=ref, **link, **fields
        )
        changes = {**snapshot(payment), **audit.diff({}, fields)}
        audit.record(actor, account.agency_id, "payment.card_requested", "payment", payment.id, changes)
        return payment

    return write_once(account, key, write, value, PaymentMethod.CARD)


def _link_ttl() -> timedelta:
    return timedelta(hours=current_app.config["PAY_LINK_TTL_HOURS"])


@dataclass
class PayPage:
    """What the debtor's pay page shows."""

    payment: Payment
    client_secret: str | None
    state: str  # "payable", "paid", "expired", "unavailable"


def get_pay_page(token: str) -> PayPage:
    """The pay page of a link; NotFound for an unknown token (answered like any missing page)."""
    digest = crypto.token_digest(token)
    payment = db.session.scalars(select(Payment).where(Payment.pay_token == digest)).first()
    if payment is None or not token:
        raise NotFound("This payment link does not exist.")
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        return PayPage(payment, None, "paid")
    if payment.pay_expires_at is None or utcnow() >= payment.pay_expires_at:
        return PayPage(payment, None, "expired")
    try:
        intent = stripe_api.retrieve_intent(payment.processor_ref)
    except ProcessorUnavailable:
        return PayPage(payment, None, "unavailable")  # the debtor is told to come back, not shown an error page
    return PayPage(payment, intent["client_secret"], "payable")


def sync_payment(payment_id: int) -> Payment:
    """Bring a card payment in line with its PaymentIntent at Stripe (pay-page return, reconciliation)."""
    payment = db.session.get(Payment, payment_id)
    intent = stripe_api.retrieve_intent(payment.processor_ref)
    apply_intent_status(payment, intent["status"], _error_message(intent), expire=False)
    db.session.commit()
    return payment


def apply_intent_status(payment: Payment, status: str, error: str, *, expire: bool) -> None:
    """Complete or fail a payment from its intent's status, under the account lock (no commit)."""
    account, payment = ledger.lock_account_of(payment)
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        return  # already applied: a completed payment is never un-completed
    if status == "succeeded":
        ledger.complete(payment, account, None)
        audit.record(
            None, payment.agency_id, "payment.completed", "payment", payment.id, {"status": {"new": "completed"}}
        )
    elif payment.status == PaymentStatus.PENDING and (
        status == "canceled" or (error and status == "requires_payment_method") or expire
    ):
        ledger.fail(payment, error or ("Payment link expired" if expire else "Payment canceled"))
        audit.record(None, payment.agency_id, "payment.failed", "payment", payment.id, {"status": {"new": "failed"}})


def _error_message(intent: dict) -> str:
    return (intent.get("last_payment_error") or {}).get("message") or ""
