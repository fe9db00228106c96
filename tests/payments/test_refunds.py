"""Refunds: exact balance, pro-rata commission reversal, settlement undone, over-refund refused."""

from decimal import Decimal

import pytest

from app.accounts.states import Status
from app.errors import PermissionDenied, ValidationFailed
from app.payments.models import PaymentStatus
from app.payments.services import refunds
from tests import factories as f
from tests.payments.helpers import balance, key, pay


def refund(payment, amount, actor, reason="customer complaint"):
    return refunds.refund_payment(payment.id, amount, reason, key(), actor=actor)


def test_full_refund_restores_balance_reverses_commission_and_reopens(assigned_account, admin, collector):
    f.walk_to(assigned_account, Status.NEGOTIATING, admin=admin, collector=None)
    payment = pay(assigned_account, "1000.00", collector)
    assert assigned_account.status == Status.SETTLED
    refund(payment, "1000.00", admin)
    f.db.session.refresh(assigned_account)
    assert assigned_account.current_balance == Decimal("1000.00")
    assert assigned_account.status == Status.NEGOTIATING
    assert payment.status == PaymentStatus.REFUNDED and payment.net_commission == Decimal("0.00")


def test_partial_refunds_add_up_to_the_amount_and_no_further(assigned_account, admin, collector):
    payment = pay(assigned_account, "300.00", collector)
    refund(payment, "100.00", admin)
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert payment.commission_reversed == Decimal("10.00") and balance(assigned_account) == Decimal("800.00")
    refund(payment, "200.00", admin)
    assert payment.status == PaymentStatus.REFUNDED and payment.net_commission == Decimal("0.00")
    with pytest.raises(ValidationFailed):
        refund(payment, "0.01", admin)
    assert balance(assigned_account) == Decimal("1000.00")


def test_over_refund_is_refused_with_a_message(assigned_account, admin, collector):
    payment = pay(assigned_account, "50.00", collector)
    with pytest.raises(ValidationFailed, match="left to refund") as exc:
        refund(payment, "50.01", admin)
    assert "amount" in exc.value.fields and balance(assigned_account) == Decimal("950.00")


def test_pro_rata_reversal_never_exceeds_the_commission(assigned_account, admin, collector):
    collector.collector_profile.commission_rate = Decimal("0.3333")
    payment = pay(assigned_account, "10.00", collector)  # commission 3.33
    for _ in range(3):
        refund(payment, "3.33", admin)
    refund(payment, "0.01", admin)
    assert payment.commission_reversed == payment.commission_amount


def test_refund_needs_a_reason(assigned_account, admin, collector):
    payment = pay(assigned_account, "10", collector)
    with pytest.raises(ValidationFailed, match="reason"):
        refund(payment, "5", admin, reason="  ")


def test_collectors_cannot_refund(assigned_account, collector):
    payment = pay(assigned_account, "10", collector)
    with pytest.raises(PermissionDenied):
        refund(payment, "5", collector)


def test_same_refund_key_refunds_once(assigned_account, admin, collector):
    payment, same = pay(assigned_account, "100", collector), key()
    first = refunds.refund_payment(payment.id, "40", "twice", same, actor=admin)
    again = refunds.refund_payment(payment.id, "40", "twice", same, actor=admin)
    assert first.id == again.id and balance(assigned_account) == Decimal("940.00")


def test_refund_of_a_later_closed_account_does_not_reopen_it(assigned_account, admin, collector):
    payment = pay(assigned_account, "1000", collector)
    f.walk_to(assigned_account, Status.CLOSED, admin=admin, collector=None)
    refund(payment, "10", admin)
    f.db.session.refresh(assigned_account)
    assert assigned_account.status == Status.CLOSED and assigned_account.current_balance == Decimal("10.00")
