"""One idempotency key names one request (issue 13): reused for another amount or method it is refused (422)."""

from decimal import Decimal

import pytest

from app.errors import ValidationFailed
from app.payments.services import record, refunds, stripe_payments
from tests.payments.helpers import balance, key, payments_of


def test_a_card_request_key_reused_for_another_amount_is_refused(assigned_account, collector, stripe_client):
    same = key()
    first = stripe_payments.request_card_payment(assigned_account.id, "50.00", same, actor=collector)
    again = stripe_payments.request_card_payment(assigned_account.id, "50.00", same, actor=collector)
    assert again.id == first.id
    with pytest.raises(ValidationFailed, match="already used for a card payment of 50.00") as refused:
        stripe_payments.request_card_payment(assigned_account.id, "60.00", same, actor=collector)
    assert refused.value.status == 422 and len(payments_of(assigned_account)) == 1


def test_a_manual_key_reused_for_a_card_request_is_refused(assigned_account, collector, stripe_client):
    same = key()
    record.record_manual_payment(assigned_account.id, "50.00", "check", "", None, same, actor=collector)
    with pytest.raises(ValidationFailed, match="already used for a check payment"):
        stripe_payments.request_card_payment(assigned_account.id, "50.00", same, actor=collector)
    assert len(payments_of(assigned_account)) == 1


def test_a_refund_key_reused_for_another_amount_is_refused(assigned_account, admin, collector):
    payment = record.record_manual_payment(assigned_account.id, "100", "cash", "", None, key(), actor=collector)
    same = key()
    refunds.refund_payment(payment.id, "40", "first", same, actor=admin)
    with pytest.raises(ValidationFailed, match="already used for a refund of 40.00"):
        refunds.refund_payment(payment.id, "30", "second", same, actor=admin)
    assert balance(assigned_account) == Decimal("940.00")
