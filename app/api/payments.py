"""``/api/v1/payments``: list, detail, manual payments, card payment requests (pay links) and refunds, through the
services the payment pages use. (The Stripe webhook stays in ``app.payments.api``.)"""

import uuid

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import limits, paging
from app.api.core import ID, ApiBlueprint, Money, MoneyField
from app.api.security import guard
from app.auth.tokens import Scope
from app.payments import queries
from app.payments.models import MANUAL_METHODS, Payment, PaymentMethod, PaymentStatus
from app.payments.queries import PaymentFilters
from app.payments.schemas import PaymentSchema as CardLinks
from app.payments.services import record, refunds, stripe_payments

bp = ApiBlueprint("api_payments", __name__, url_prefix="/api/v1/payments", description="Payments and refunds.")
limits.apply(bp)
guard(bp, Scope.PAYMENTS)
DEFAULT_REFUND_REASON = "Requested by agency admin"


class PaymentListArgs(paging.PageArgs):
    account = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    status = fields.Enum(PaymentStatus, by_value=True)
    method = fields.Enum(PaymentMethod, by_value=True)
    date_from = fields.Date(metadata={"description": "created on or after this day (the agency's calendar)"})
    date_to = fields.Date()


class PaymentSchema(Schema):
    id = fields.Integer()
    account = fields.Integer(attribute="account_id")
    amount = Money()
    currency = fields.String()
    payment_method = fields.Function(lambda p: p.method.value)
    status = fields.Function(lambda p: p.status.value)
    refunded_amount = Money()
    commission_amount = Money()
    idempotency_key = fields.String()
    pay_url = fields.Function(lambda p: CardLinks().get_pay_url(p), allow_none=True)
    pay_expires_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    reference = fields.String()
    received_on = fields.Date(allow_none=True)
    processor_ref = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class ManualPaymentSchema(Schema):
    account = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    amount = MoneyField(required=True)
    payment_method = fields.String(required=True, validate=validate.OneOf([m.value for m in MANUAL_METHODS]))
    reference = fields.String(load_default="", validate=validate.Length(max=record.MAX_REFERENCE))
    received_on = fields.Date(load_default=None)
    processor = fields.Raw(metadata={"description": "accepted and ignored (the description's clients send it)"})


class CardRequestSchema(Schema):
    account = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    amount = MoneyField(required=True)


class RefundSchema(Schema):
    amount = MoneyField(metadata={"description": "default: all that is left to refund"})
    reason = fields.String(load_default=DEFAULT_REFUND_REASON, validate=validate.Length(min=1, max=500))


def service_key() -> str:
    """The services' own de-duplication key: the request's Idempotency-Key when it fits, else a fresh one."""
    key = request.headers.get("Idempotency-Key", "").strip()
    return key if 16 <= len(key) <= 64 else uuid.uuid4().hex


@bp.route("/", methods=["GET"])
@bp.arguments(PaymentListArgs, location="query")
@bp.response(200, paging.page_schema(PaymentSchema, "PaymentPage"))
def list_payments(args):
    """The caller's payments (a collector's: on their own accounts), newest first."""
    filters = PaymentFilters(
        status=args.get("status"),
        method=args.get("method"),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        account_id=args.get("account"),
    )
    return paging.by_id_desc(queries.filtered_payments(current_user, filters), Payment.id, args)


@bp.route("/", methods=["POST"])
@bp.arguments(ManualPaymentSchema)
@bp.response(201, PaymentSchema)
def record_payment(data):
    """Record a check, cash or bank-transfer payment; it applies to the balance at once."""
    return record.record_manual_payment(
        data["account"],
        str(data["amount"]),
        data["payment_method"],
        data["reference"],
        data["received_on"],
        service_key(),
        actor=current_user,
    )


@bp.route("/card-request/", methods=["POST"])
@bp.arguments(CardRequestSchema)
@bp.response(201, PaymentSchema)
def request_card_payment(data):
    """A card payment request and its pay link for the debtor; 409 while the account is on collection hold (a
    dispute being verified), 503 while the card processor is unavailable."""
    return stripe_payments.request_card_payment(data["account"], str(data["amount"]), service_key(), actor=current_user)


@bp.route(f"/<{ID}:payment_id>/", methods=["GET"])
@bp.response(200, PaymentSchema)
def get_payment(payment_id: int):
    """One payment."""
    return queries.get_payment(current_user, payment_id)


@bp.route(f"/<{ID}:payment_id>/refund/", methods=["POST"])
@bp.arguments(RefundSchema)
@bp.response(200, PaymentSchema)
def refund(data, payment_id: int):
    """Refund part or all of a completed payment (admins)."""
    payment = queries.get_payment(current_user, payment_id)
    amount = data.get("amount") or (payment.amount - payment.refunded_amount)
    done = refunds.refund_payment(payment_id, f"{amount:.2f}", data["reason"], service_key(), actor=current_user)
    return done.payment
