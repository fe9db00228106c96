"""Manual payments: recorded once, applied exactly, commission stored, auto-settle at zero."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Activity, ActivityKind
from app.accounts.states import Status
from app.audit.models import AuditEvent
from app.errors import NotFound, ValidationFailed
from app.payments.models import PaymentStatus
from app.payments.services import record
from tests import factories as f
from tests.payments.helpers import balance, key, pay, payments_of


def test_manual_payment_lowers_balance_and_stores_commission(assigned_account, collector):
    payment = pay(assigned_account, "250.50", collector)
    assert payment.status == PaymentStatus.COMPLETED
    assert balance(assigned_account) == Decimal("749.50")
    assert payment.collector_id == collector.id and payment.commission_rate == Decimal("0.1000")
    assert payment.commission_amount == Decimal("25.05")
    kinds = [a.kind for a in f.db.session.scalars(select(Activity).where(Activity.account_id == assigned_account.id))]
    assert ActivityKind.PAYMENT in kinds
    assert f.db.session.scalars(select(AuditEvent).where(AuditEvent.action == "payment.recorded")).first()


def test_commission_uses_the_rate_at_the_moment_of_payment(assigned_account, collector):
    first = pay(assigned_account, "100.00", collector)
    collector.collector_profile.commission_rate = Decimal("0.2500")
    second = pay(assigned_account, "100.00", collector)
    assert (first.commission_amount, second.commission_amount) == (Decimal("10.00"), Decimal("25.00"))


@pytest.mark.parametrize("amount", ["0", "-5", "10.001", "abc", "", "NaN", "Infinity", "1e3"])
def test_bad_amounts_are_refused_with_a_message(assigned_account, collector, amount):
    with pytest.raises(ValidationFailed) as exc:
        record.record_manual_payment(assigned_account.id, amount, "cash", "", None, key(), actor=collector)
    assert "amount" in exc.value.fields
    assert balance(assigned_account) == Decimal("1000.00")


def test_payment_exceeding_balance_is_rejected(assigned_account, collector):
    with pytest.raises(ValidationFailed, match="above the current balance"):
        pay(assigned_account, "1000.01", collector)
    assert payments_of(assigned_account) == []


def test_same_idempotency_key_records_one_payment(assigned_account, collector):
    same = key()
    first = record.record_manual_payment(assigned_account.id, "10", "cash", "", None, same, actor=collector)
    again = record.record_manual_payment(assigned_account.id, "10", "cash", "", None, same, actor=collector)
    assert first.id == again.id and len(payments_of(assigned_account)) == 1
    assert balance(assigned_account) == Decimal("990.00")


def test_payment_to_zero_settles_the_account_with_a_timeline_entry(assigned_account, collector):
    pay(assigned_account, "400", collector)
    payment = pay(assigned_account, "600", collector)
    f.db.session.refresh(assigned_account)
    assert assigned_account.status == Status.SETTLED and assigned_account.current_balance == 0
    assert payment.settled_from == Status.ASSIGNED
    entry = f.db.session.scalars(
        select(Activity)
        .where(Activity.account_id == assigned_account.id, Activity.kind == ActivityKind.STATUS_CHANGE)
        .order_by(Activity.id.desc())
    ).first()
    assert entry.details["system"] == "zero_balance" and entry.details["new"] == "settled"


def test_collector_cannot_pay_on_another_collectors_account(assigned_account, other_collector):
    with pytest.raises(NotFound):
        pay(assigned_account, "10", other_collector)


def test_foreign_agency_account_is_not_found(assigned_account, foreign):
    with pytest.raises(NotFound):
        pay(assigned_account, "10", foreign.admin)


def test_closed_account_takes_no_payments(account, admin):
    f.walk_to(account, Status.CLOSED, admin=admin, collector=None)
    with pytest.raises(ValidationFailed, match="closed"):
        pay(account, "10", admin)


def test_card_is_not_a_manual_method(assigned_account, collector):
    with pytest.raises(ValidationFailed):
        pay(assigned_account, "10", collector, method="card")
