"""JSON shapes of payments for /api/v1."""

from flask import url_for
from marshmallow import Schema, fields, validate


class PaymentSchema(Schema):
    id = fields.Int()
    account_id = fields.Int()
    amount = fields.Decimal(as_string=True, places=2)
    currency = fields.Str()
    method = fields.Function(lambda p: p.method.value)
    status = fields.Function(lambda p: p.status.value)
    refunded_amount = fields.Decimal(as_string=True, places=2)
    commission_amount = fields.Decimal(as_string=True, places=2)
    idempotency_key = fields.Str()
    pay_url = fields.Method("get_pay_url")
    pay_expires_at = fields.DateTime()
    created_at = fields.DateTime()

    def get_pay_url(self, payment):
        token = payment.pay_link_token
        return url_for("payments.pay", token=token, _external=True) if token else None


class CardRequestSchema(Schema):
    """Body of ``POST /api/v1/payments/card-requests``; the amount stays a string for the service to parse."""

    account_id = fields.Int(required=True)
    amount = fields.Str(required=True, validate=validate.Length(max=20))
    idempotency_key = fields.Str(required=True, validate=validate.Length(min=16, max=64))
