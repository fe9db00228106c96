"""Stripe webhooks: signed with Stripe's scheme, stored once, idempotent and order-independent."""

import json
import random
from decimal import Decimal

from sqlalchemy import func, select

from app.accounts.models import Activity
from app.accounts.states import Status
from app.payments.models import PaymentStatus, Refund, StripeEvent
from app.payments.services import stripe_payments
from tests import factories as f
from tests.payments.conftest import make_event, sign
from tests.payments.helpers import balance, key


def card_payment(account, amount, actor):
    return stripe_payments.request_card_payment(account.id, amount, key(), actor=actor)


def succeeded(payment):
    return make_event(
        "payment_intent.succeeded", {"id": payment.processor_ref, "object": "payment_intent", "status": "succeeded"}
    )


def failed(payment):
    obj = {"id": payment.processor_ref, "object": "payment_intent", "last_payment_error": {"message": "Card declined."}}
    return make_event("payment_intent.payment_failed", obj)


def refunded(payment, cents):
    obj = {"id": "ch_test", "object": "charge", "payment_intent": payment.processor_ref, "amount_refunded": cents}
    return make_event("charge.refunded", obj)


def disputed(payment):
    obj = {"id": "dp_test", "object": "dispute", "payment_intent": payment.processor_ref, "reason": "fraudulent"}
    return make_event("charge.dispute.created", obj)


def test_succeeded_event_completes_the_payment(send_webhook, assigned_account, collector):
    payment = card_payment(assigned_account, "100.00", collector)
    response = send_webhook(succeeded(payment))
    assert response.status_code == 200 and response.json == {"status": "processed"}
    assert payment.status == PaymentStatus.COMPLETED and balance(assigned_account) == Decimal("900.00")


def test_forged_stale_or_missing_signatures_change_nothing(send_webhook, assigned_account, collector, clock):
    payment = card_payment(assigned_account, "100.00", collector)
    payload = succeeded(payment)
    now = int(clock.freeze().timestamp())  # the wall clock would move across the boundary under load
    attempts = [
        sign(payload, secret="whsec_forged"),
        sign(payload, timestamp=now - 301),
        sign(payload, timestamp=now + 301),
        sign(payload + b" "),
        "t=123",
        "",
    ]
    for header in attempts:
        response = send_webhook(payload, signature=header)
        assert response.status_code == 400 and "signature" in response.json["detail"].lower()
    assert payment.status == PaymentStatus.PENDING and balance(assigned_account) == Decimal("1000.00")
    assert f.db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_a_signature_exactly_five_minutes_old_or_ahead_is_accepted(send_webhook, assigned_account, collector, clock):
    payment = card_payment(assigned_account, "100.00", collector)
    now = int(clock.freeze().timestamp())
    for stamp in (now - 300, now + 300):
        payload = succeeded(payment)
        assert send_webhook(payload, signature=sign(payload, timestamp=stamp)).status_code == 200, stamp


def test_a_failed_event_never_uncompletes_a_payment(send_webhook, assigned_account, collector):
    payment = card_payment(assigned_account, "100.00", collector)
    send_webhook(succeeded(payment))
    send_webhook(failed(payment))
    assert payment.status == PaymentStatus.COMPLETED and balance(assigned_account) == Decimal("900.00")


def test_failed_event_fails_a_pending_payment(send_webhook, assigned_account, collector):
    payment = card_payment(assigned_account, "100.00", collector)
    send_webhook(failed(payment))
    assert payment.status == PaymentStatus.FAILED and payment.failure_reason == "Card declined."


def test_dashboard_refund_is_recorded_with_commission_reversed(send_webhook, assigned_account, collector):
    payment = card_payment(assigned_account, "200.00", collector)
    send_webhook(succeeded(payment))
    send_webhook(refunded(payment, 5000))
    refund = f.db.session.scalars(select(Refund).where(Refund.payment_id == payment.id)).one()
    assert refund.amount == Decimal("50.00") and refund.commission_reversed == Decimal("5.00")
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and balance(assigned_account) == Decimal("850.00")


def test_dispute_moves_the_account_to_disputed_with_a_timeline_entry(send_webhook, assigned_account, collector):
    payment = card_payment(assigned_account, "100.00", collector)
    send_webhook(disputed(payment))
    f.db.session.refresh(assigned_account)
    assert assigned_account.status == Status.DISPUTED
    last = f.db.session.scalars(
        select(Activity).where(Activity.account_id == assigned_account.id).order_by(Activity.id.desc())
    ).first()
    assert "disputed at Stripe" in last.body and last.details["system"] == "stripe_dispute"


def test_unknown_event_types_and_intents_are_acknowledged_and_ignored(send_webhook):
    assert send_webhook(make_event("customer.created", {"id": "cus_1", "object": "customer"})).json == {
        "status": "ignored"
    }
    other = make_event("payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent"})
    assert send_webhook(other).json == {"status": "ignored"}


def test_every_event_type_replayed_ten_times_in_any_order_applies_once(send_webhook, assigned_account, collector):
    a = card_payment(assigned_account, "200.00", collector)
    b = card_payment(assigned_account, "100.00", collector)
    c = card_payment(assigned_account, "300.00", collector)
    events = [succeeded(a), refunded(a, 5000), failed(b), succeeded(b), succeeded(c), disputed(c)]
    # Stripe may also send a second, distinct event for the same fact: it must not count twice either.
    events += [succeeded(a), refunded(a, 5000)]
    deliveries = events * 10
    random.Random(4).shuffle(deliveries)
    outcomes = [send_webhook(payload).json["status"] for payload in deliveries]
    assert outcomes.count("processed") == len(events) and outcomes.count("duplicate") == len(deliveries) - len(events)
    assert balance(assigned_account) == Decimal("1000.00") - 200 + 50 - 100 - 300
    assert (a.status, a.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, Decimal("50.00"))
    assert b.status == PaymentStatus.COMPLETED and c.status == PaymentStatus.COMPLETED
    assert assigned_account.status == Status.DISPUTED
    assert sum(p.net_commission for p in (a, b, c)) == Decimal("55.00")


def test_webhook_events_are_stored_once(send_webhook, assigned_account, collector):
    payment = card_payment(assigned_account, "10.00", collector)
    payload = succeeded(payment)
    assert [send_webhook(payload).json["status"] for _ in range(3)] == ["processed", "duplicate", "duplicate"]
    event_id = json.loads(payload)["id"]
    assert f.db.session.get(StripeEvent, event_id).payment_id == payment.id
