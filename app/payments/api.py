"""JSON endpoints under /api/v1/payments: the Stripe webhook, and card payment requests."""

from flask import Blueprint, current_app, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from app.errors import ValidationFailed
from app.extensions import csrf
from app.payments.schemas import CardRequestSchema, PaymentSchema
from app.payments.services import stripe_payments, webhooks

bp = Blueprint("payments_api", __name__, url_prefix="/api/v1/payments")


@bp.post("/webhook/stripe/")
@csrf.exempt
def stripe_webhook():
    """Stripe's webhook: 400 for a bad or stale signature (nothing changes), else 200 once applied."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET", "")
    event = webhooks.verify_signature(request.get_data(), request.headers.get("Stripe-Signature", ""), secret)
    return {"status": webhooks.handle_event(event)}


@bp.post("/card-requests")
@login_required
def create_card_request():
    """Create a card payment request and its pay link; 503 while the card processor is unavailable."""
    try:
        data = CardRequestSchema().load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        raise ValidationFailed("Invalid request.", {k: " ".join(v) for k, v in exc.messages.items()}) from None
    payment = stripe_payments.request_card_payment(
        data["account_id"], data["amount"], data["idempotency_key"], actor=current_user
    )
    return PaymentSchema().dump(payment), 201
