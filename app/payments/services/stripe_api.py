"""The few Stripe calls DebtFlow makes, each through the circuit breaker, with amounts in cents."""

from decimal import Decimal

import stripe
from flask import current_app

from app.errors import ValidationFailed
from app.payments.services.breaker import stripe_breaker

# Errors that mean "Stripe is unwell", as opposed to "this request is wrong" (which never opens the breaker).
OUTAGE_ERRORS = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


def card_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    if not card_payments_enabled():
        message = "Card payments are not configured (set STRIPE_SECRET_KEY); record manual payments instead."
        raise ValidationFailed(message, {"amount": message})
    base = current_app.config["STRIPE_API_BASE"]
    key = current_app.config["STRIPE_SECRET_KEY"]
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=1)


def _call(method, *args, **kwargs) -> dict:
    """Call Stripe through the breaker and return the object as a plain dict.

    A refusal by Stripe becomes a ValidationFailed with its message; an outage a ProcessorUnavailable.
    """
    try:
        return stripe_breaker().call(method, *args, counts=OUTAGE_ERRORS, **kwargs).to_dict()
    except stripe.StripeError as exc:
        message = f"The card processor refused: {exc.user_message or 'request rejected'}"
        raise ValidationFailed(message, {"amount": message}) from exc


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def create_intent(amount: Decimal, currency: str, metadata: dict, idempotency_key: str):
    """A PaymentIntent for ``amount``, created once per idempotency key."""
    params = {"amount": to_cents(amount), "currency": currency.lower(), "metadata": metadata}
    params["payment_method_types"] = ["card"]
    intents = _client().v1.payment_intents
    return _call(intents.create, params=params, options={"idempotency_key": idempotency_key})


def retrieve_intent(intent_id: str):
    return _call(_client().v1.payment_intents.retrieve, intent_id)


def cancel_intent(intent_id: str):
    return _call(_client().v1.payment_intents.cancel, intent_id)


def create_refund(intent_id: str, amount: Decimal, idempotency_key: str, metadata: dict):
    """Refund ``amount`` of the intent's charge at Stripe."""
    params = {"payment_intent": intent_id, "amount": to_cents(amount), "metadata": metadata}
    return _call(_client().v1.refunds.create, params=params, options={"idempotency_key": idempotency_key})


def create_customer(metadata: dict, idempotency_key: str):
    """A Stripe customer to hold a saved card (autopay)."""
    params = {"metadata": metadata}
    return _call(_client().v1.customers.create, params=params, options={"idempotency_key": idempotency_key})


def create_setup_intent(customer_id: str, metadata: dict, idempotency_key: str):
    """A SetupIntent saving a card on ``customer_id`` for charges made without the debtor present."""
    params = {"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"], "metadata": metadata}
    intents = _client().v1.setup_intents
    return _call(intents.create, params=params, options={"idempotency_key": idempotency_key})


def detach_payment_method(payment_method_id: str):
    """Detach a saved card from its customer: Stripe can no longer charge it."""
    return _call(_client().v1.payment_methods.detach, payment_method_id)


def retrieve_setup_intent(intent_id: str):
    return _call(_client().v1.setup_intents.retrieve, intent_id)


def charge_saved_card(
    amount: Decimal, currency: str, customer_id: str, payment_method_id: str, metadata: dict, idempotency_key: str
):
    """A PaymentIntent confirmed at once off-session with a saved card; a decline raises ValidationFailed."""
    params = {
        "amount": to_cents(amount),
        "currency": currency.lower(),
        "customer": customer_id,
        "payment_method": payment_method_id,
        "confirm": True,
        "off_session": True,
        "metadata": metadata,
    }
    intents = _client().v1.payment_intents
    return _call(intents.create, params=params, options={"idempotency_key": idempotency_key})
