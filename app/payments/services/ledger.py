"""The steps every payment path shares: parse amounts, lock rows, apply a payment or a refund to the balance.

Private to the payment services: nothing here commits; the calling use case audits and commits once.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry, set_status
from app.accounts.states import OPEN_STATUSES, Status
from app.agencies.models import Agency
from app.auth.models import User
from app.collectors.models import CollectorProfile
from app.errors import ValidationFailed
from app.extensions import db
from app.payments import signals
from app.payments.models import CENT, Payment, PaymentMethod, PaymentStatus, Refund
from app.templating import money
from app.timeutil import utcnow
from app.webhooks import events as webhooks

AMOUNT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")  # ASCII digits: Decimal also reads "５" as 5


def parse_amount(raw, field: str = "amount") -> Decimal:
    """A positive amount written as digits with at most two decimals (no exponents); ValidationFailed otherwise."""
    text = str(raw if raw is not None else "").strip()
    if not AMOUNT.fullmatch(text) or Decimal(text) <= 0:
        message = "Enter a positive amount with at most two decimals, e.g. 125.50."
        raise ValidationFailed(message, {field: message})
    return Decimal(text).quantize(CENT)


def check_idempotency_key(key: str | None) -> str:
    key = (key or "").strip()
    if not 16 <= len(key) <= 64:
        raise ValidationFailed("The form expired; reload the page and submit again.")
    return key


def check_within_balance(account: Account, amount: Decimal, currency: str) -> None:
    """Refuse a payment above the current balance (or on a closed account)."""
    if account.status == Status.CLOSED:
        raise ValidationFailed("A closed account takes no payments.")
    if amount > account.current_balance:
        message = f"The amount is above the current balance of {money(account.current_balance, currency)}."
        raise ValidationFailed(message, {"amount": message})


def takes_payments(account: Account) -> bool:
    """Whether the account can take any payment at all: the smallest one passes ``check_within_balance``."""
    try:
        check_within_balance(account, CENT, "")
    except ValidationFailed:
        return False
    return True


def lock_account_of(payment: Payment) -> tuple[Account, Payment]:
    """Lock the payment's account, then re-read the payment under that lock (system paths: webhooks, jobs)."""
    stmt = select(Account).where(Account.id == payment.account_id).with_for_update()
    account = db.session.scalars(stmt.execution_options(populate_existing=True)).one()
    return account, lock_payment(payment.id)


def lock_payment(payment_id: int) -> Payment:
    stmt = select(Payment).where(Payment.id == payment_id).with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def find_by_key(agency_id: int, key: str) -> Payment | None:
    return db.session.scalars(
        select(Payment).where(Payment.agency_id == agency_id, Payment.idempotency_key == key)
    ).first()


def new_payment(
    account: Account, amount: Decimal, method: PaymentMethod, key: str, actor: User | None, **fields
) -> Payment:
    """A pending payment on the account, flushed so it has an id (``actor`` None: the debtor in the portal, or the
    system, e.g. autopay)."""
    payment = Payment(
        agency_id=account.agency_id,
        account_id=account.id,
        amount=amount,
        currency=account_currency(account),
        method=method,
        status=PaymentStatus.PENDING,
        idempotency_key=key,
        created_by_id=actor.id if actor else None,
        **fields,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def complete(payment: Payment, account: Account, actor: User | None) -> None:
    """Apply a pending or failed payment: balance, commission at the collector's current rate, timeline, settle."""
    applied = min(payment.amount, account.current_balance)
    account.current_balance -= applied
    payment.status, payment.completed_at, payment.failure_reason = PaymentStatus.COMPLETED, utcnow(), ""
    _set_commission(payment, account)
    currency = account_currency(account)
    body = f"Payment of {money(payment.amount, currency)} received ({payment.method.label})"
    if payment.via_portal:
        body = f"Paid {money(payment.amount, currency)} through the portal"
    if applied < payment.amount:
        body += f"; {money(payment.amount - applied, currency)} above the balance is due back to the debtor"
    add_timeline_entry(account, ActivityKind.PAYMENT, body, actor, payment_id=payment.id, amount=str(payment.amount))
    webhooks.emit(account.agency_id, "payment.completed", {**_payment_data(payment), "method": payment.method.value})
    if account.current_balance == 0 and account.status in OPEN_STATUSES:
        payment.settled_from = account.status
        set_status(account, Status.SETTLED, actor, note="balance paid in full", system="zero_balance")
    signals.payment_applied.send(payment, account=account, applied=applied, actor=actor)


def _set_commission(payment: Payment, account: Account) -> None:
    profile = db.session.get(CollectorProfile, account.assigned_collector_id) if account.assigned_collector_id else None
    payment.collector_id = account.assigned_collector_id
    payment.commission_rate = profile.commission_rate if profile else Decimal("0")
    payment.commission_amount = (payment.amount * payment.commission_rate).quantize(CENT, ROUND_HALF_UP)


def apply_refund(
    payment: Payment, account: Account, amount: Decimal, reason: str, actor: User | None, **extra
) -> Refund:
    """Give back ``amount`` of an applied payment: balance up, commission reversed pro rata, settlement undone."""
    full = amount == payment.amount - payment.refunded_amount
    share = (payment.commission_amount * amount / payment.amount).quantize(CENT, ROUND_HALF_UP)
    reversed_ = payment.net_commission if full else min(share, payment.net_commission)
    refund = Refund(agency_id=payment.agency_id, payment=payment, amount=amount, reason=reason, **extra)
    refund.commission_reversed, refund.actor_id = reversed_, actor.id if actor else None
    db.session.add(refund)
    payment.refunded_amount += amount
    payment.commission_reversed += reversed_
    payment.status = (
        PaymentStatus.REFUNDED if payment.refunded_amount == payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    )
    account.current_balance += amount
    text = f"Refund of {money(amount, account_currency(account))} on the {payment.method.label.lower()} payment"
    add_timeline_entry(
        account, ActivityKind.REFUND, text + (f" — {reason}" if reason else ""), actor, payment_id=payment.id
    )
    if account.status == Status.SETTLED and payment.settled_from is not None:
        set_status(account, payment.settled_from, actor, note="payment refunded", system="refund")
        payment.settled_from = None
    db.session.flush()
    signals.refund_applied.send(payment, account=account, amount=amount, actor=actor)
    data = {**_payment_data(payment), "refund_id": refund.id, "amount": str(amount), "status": payment.status.value}
    webhooks.emit(account.agency_id, "payment.refunded", data)
    return refund


def _payment_data(payment: Payment) -> dict:
    """What a payment event carries: ids and amounts (money as decimal strings)."""
    return {
        "payment_id": payment.id,
        "account_id": payment.account_id,
        "amount": str(payment.amount),
        "currency": payment.currency,
    }


def fail(payment: Payment, reason: str) -> None:
    payment.status, payment.failure_reason = PaymentStatus.FAILED, (reason or "Payment failed")[:500]


def account_currency(account: Account) -> str:
    agency = db.session.get(Agency, account.agency_id)
    return agency.currency if agency else "USD"
