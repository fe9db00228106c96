"""Demo payments: completed, pending, failed and refunded payments over the demo accounts' six months.

Rows are written directly (like the rest of the demo) with their historical times, and every balance ends up as
original − completed + refunded. Open accounts never reach zero (that would have settled them).
"""

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from app.accounts.models import Account, Activity, ActivityKind
from app.accounts.services import add_timeline_entry
from app.accounts.states import Status
from app.agencies.models import Agency
from app.agencyday import local_date
from app.auth.models import User
from app.collectors.models import CollectorProfile
from app.extensions import db
from app.payments.models import CENT, MANUAL_METHODS, Payment, PaymentMethod, PaymentStatus, Refund
from app.templating import money

# How many payments accounts of each status get, and what share of the original they cover in total.
PLANS = {
    Status.IN_CONTACT: ((0, 2), (0.05, 0.2)),
    Status.NEGOTIATING: ((1, 3), (0.1, 0.3)),
    Status.PAYMENT_PLAN: ((3, 7), (0.2, 0.7)),
    Status.SETTLED: ((2, 4), (0.6, 1.0)),
    Status.CLOSED: ((0, 2), (0.05, 0.3)),
    Status.DISPUTED: ((0, 2), (0.05, 0.2)),
}


def seed_payments(agency_id: int, admin: User, rng: random.Random, now: datetime) -> dict[str, int]:
    """Add demo payments (and their timeline entries) to the agency's accounts; return counts per status."""
    accounts = list(db.session.scalars(select(Account).where(Account.agency_id == agency_id).order_by(Account.id)))
    last_entry = dict(
        db.session.execute(
            select(Activity.account_id, func.max(Activity.created_at))
            .where(Activity.agency_id == agency_id)
            .group_by(Activity.account_id)
        ).all()
    )
    made: list[Payment] = []
    for account in accounts:
        made += _account_payments(account, admin, rng, now, last_entry.get(account.id) or now)
    db.session.flush()
    counts: dict[str, int] = {}
    for payment in made:
        counts[f"payments {payment.status.value}"] = counts.get(f"payments {payment.status.value}", 0) + 1
    return counts


def _account_payments(
    account: Account, admin: User, rng: random.Random, now: datetime, last: datetime
) -> list[Payment]:
    """This account's completed payments (some later refunded), plus the odd failed or pending card payment."""
    plan = PLANS.get(account.status)
    if plan is None or account.assigned_collector_id is None:
        return []
    (low, high), (share_low, share_high) = plan
    count = rng.randint(low, high)
    start, end = (
        account.created_at + timedelta(days=1),
        (last if account.status in (Status.SETTLED, Status.CLOSED) else now - timedelta(hours=2)),
    )
    if count == 0 or end <= start:
        return []
    total = (account.original_amount * Decimal(str(rng.uniform(share_low, share_high)))).quantize(CENT)
    if account.status != Status.SETTLED:
        total = min(total, account.original_amount - Decimal("1.00"))
    times = sorted(start + (end - start) * rng.random() for _ in range(count + 1))
    amounts = _split(total, count, rng)
    payments = [_completed(account, amount, at, rng) for amount, at in zip(amounts, times, strict=False)]
    if rng.random() < 0.15:
        _refund(payments[-1], account, admin, times[-1] + (now - times[-1]) * rng.random() * 0.5, rng)
    if rng.random() < 0.2 and account.current_balance > 1:
        payments.append(_card_attempt(account, times[-1], rng, now))
    return payments


def _split(total: Decimal, count: int, rng: random.Random) -> list[Decimal]:
    """``count`` positive amounts adding up to ``total``."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
    parts = [(total * Decimal(str(w / sum(weights)))).quantize(CENT) for w in weights[:-1]]
    parts.append(total - sum(parts, Decimal("0.00")))
    return [p for p in parts if p > 0]


def _new_payment(account: Account, amount: Decimal, method: PaymentMethod, at: datetime, rng: random.Random) -> Payment:
    payment = Payment(
        agency_id=account.agency_id,
        account_id=account.id,
        amount=amount,
        method=method,
        idempotency_key=f"{rng.getrandbits(128):032x}",
        reference=f"CHK-{rng.randint(1000, 9999)}" if method == PaymentMethod.CHECK else "",
        received_on=local_date(at, db.session.get(Agency, account.agency_id).timezone),
        created_at=at,
        updated_at=at,
    )
    db.session.add(payment)
    return payment


def _completed(account: Account, amount: Decimal, at: datetime, rng: random.Random) -> Payment:
    """A completed payment applied to the balance, with the collector's commission and a timeline entry."""
    # Completed demo payments are manual: a card payment would need a real intent to be refundable.
    method = rng.choice(MANUAL_METHODS)
    payment = _new_payment(account, amount, method, at, rng)
    profile = db.session.get(CollectorProfile, account.assigned_collector_id)
    payment.status, payment.completed_at, payment.collector_id = (
        PaymentStatus.COMPLETED,
        at,
        account.assigned_collector_id,
    )
    payment.commission_rate = profile.commission_rate
    payment.commission_amount = (amount * profile.commission_rate).quantize(CENT, ROUND_HALF_UP)
    account.current_balance -= amount
    body = f"Payment of {money(amount)} received ({method.label})"
    collector = db.session.get(User, account.assigned_collector_id)
    add_timeline_entry(account, ActivityKind.PAYMENT, body, collector, amount=str(amount)).created_at = at
    return payment


def _refund(payment: Payment, account: Account, admin: User, at: datetime, rng: random.Random) -> None:
    """Refund the payment in full or in half, as an admin would."""
    amount = payment.amount if rng.random() < 0.5 else (payment.amount / 2).quantize(CENT)
    reversed_ = (payment.commission_amount * amount / payment.amount).quantize(CENT, ROUND_HALF_UP)
    reason = "Payment sent in error by the debtor's bank"
    refund = Refund(agency_id=account.agency_id, payment=payment, amount=amount, reason=reason, created_at=at)
    refund.commission_reversed, refund.actor_id = reversed_, admin.id
    db.session.add(refund)
    payment.refunded_amount, payment.commission_reversed = amount, reversed_
    payment.status = PaymentStatus.REFUNDED if amount == payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    account.current_balance += amount
    add_timeline_entry(account, ActivityKind.REFUND, f"Refund of {money(amount)} — {reason}", admin).created_at = at


def _card_attempt(account: Account, after: datetime, rng: random.Random, now: datetime) -> Payment:
    """A card payment that failed, or one still pending (no Stripe intent: the demo has no Stripe account)."""
    amount = min(account.current_balance, Decimal(rng.randint(25, 150))).quantize(CENT)
    if rng.random() < 0.5:
        payment = _new_payment(account, amount, PaymentMethod.CARD, after + (now - after) * rng.uniform(0.2, 0.9), rng)
        payment.status, payment.failure_reason = PaymentStatus.FAILED, "Your card was declined."
        return payment
    return _new_payment(account, amount, PaymentMethod.CARD, now - timedelta(hours=rng.uniform(1, 60)), rng)
