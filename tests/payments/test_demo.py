"""Demo payments: every kind of payment, spread over six months, commission stored."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.agencies.models import Agency
from app.demo import seed_demo
from app.payments.models import Payment, PaymentStatus, Refund
from app.timeutil import utcnow
from tests.factories import db


def test_demo_has_completed_pending_failed_and_refunded_payments_over_six_months():
    seed_demo()
    agency = db.session.scalars(select(Agency).where(Agency.slug == "apex-recovery")).one()
    payments = db.session.scalars(select(Payment).where(Payment.agency_id == agency.id)).all()
    statuses = Counter(p.status for p in payments)
    assert statuses[PaymentStatus.COMPLETED] > 50
    assert statuses[PaymentStatus.PENDING] and statuses[PaymentStatus.FAILED]
    assert statuses[PaymentStatus.REFUNDED] + statuses[PaymentStatus.PARTIALLY_REFUNDED] > 0
    completed = [p.created_at for p in payments if p.status == PaymentStatus.COMPLETED]
    assert max(completed) - min(completed) > timedelta(days=120) and max(completed) < utcnow()
    assert all(p.commission_amount > 0 for p in payments if p.status == PaymentStatus.COMPLETED)
    refunds = db.session.scalars(select(Refund).where(Refund.agency_id == agency.id)).all()
    assert sum(r.amount for r in refunds) == sum(p.refunded_amount for p in payments)


def test_demo_reset_rebuilds_the_same_payments():
    seed_demo()
    before = sorted(str(p.amount) for p in db.session.scalars(select(Payment)))
    seed_demo(reset=True)
    assert sorted(str(p.amount) for p in db.session.scalars(select(Payment))) == before
