"""Recording manual payments (check, cash, bank transfer): completed at once, under a lock on the account."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from app.accounts import queries as account_queries
from app.accounts.models import Account
from app.agencyday import local_today
from app.audit import services as audit
from app.auth.models import User
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.payments.models import MANUAL_METHODS, Payment, PaymentMethod
from app.payments.services import ledger
from app.sensitive import refuse_sensitive

MAX_REFERENCE = 120


def parse_manual_method(value: str) -> PaymentMethod:
    try:
        method = PaymentMethod(value)
    except ValueError:
        method = None
    if method not in MANUAL_METHODS:
        raise ValidationFailed("Choose check, cash or bank transfer.", {"method": "Choose a method."})
    return method


def record_manual_payment(
    account_id: int,
    amount: str,
    method: str,
    reference: str,
    received_on: date | None,
    idempotency_key: str,
    *,
    actor: User,
) -> Payment:
    """Record a payment received by check, cash or bank transfer and apply it to the balance at once.

    The same idempotency key returns the payment already recorded, however often it is submitted.
    Raises NotFound for an account the actor may not see, ValidationFailed for a bad or excessive amount.
    """
    value, kind, key = (
        ledger.parse_amount(amount),
        parse_manual_method(method),
        ledger.check_idempotency_key(idempotency_key),
    )
    refuse_sensitive(reference, "reference", "reference")
    received_on = received_date(received_on, actor)
    account = account_queries.get_account(actor, account_id, for_update=True)
    existing = ledger.find_by_key(actor.agency_id, key)
    if existing is not None:
        return same_request(existing, account.id, value, kind)
    ledger.check_within_balance(account, value, ledger.account_currency(account))
    fields = {"reference": (reference or "").strip()[:MAX_REFERENCE], "received_on": received_on}

    def write() -> Payment:
        payment = ledger.new_payment(account, value, kind, key, actor, **fields)
        ledger.complete(payment, account, actor)
        audit.record(actor, account.agency_id, "payment.recorded", "payment", payment.id, snapshot(payment))
        return payment

    return write_once(account, key, write, value, kind)


def received_date(received_on: date | None, actor: User) -> date:
    """The day a payment was received: the agency's today unless given; ValidationFailed for a day after it."""
    today = local_today(actor.agency.timezone)
    if received_on and received_on > today:
        raise ValidationFailed("The date received cannot be in the future.", {"received_on": "Not in the future."})
    return received_on or today


def same_request(existing: Payment, account_id: int, amount: Decimal, method: PaymentMethod) -> Payment:
    """The payment a repeated submission refers to. A key reused for another account is a conflict (409); for
    another amount or method it is refused (422): answering with the first payment would tell the client its
    different request had been recorded."""
    if existing.account_id != account_id:
        raise Conflict("This form was already used for another account; reload the page.")
    if existing.amount != amount or existing.method != method:
        message = (
            f"This idempotency key was already used for a {existing.method.value} payment of {existing.amount}; "
            "a different amount or method needs a new key (reload the form)."
        )
        raise ValidationFailed(message)  # above the form: the key is a hidden field
    return existing


def write_once(
    account: Account, key: str, write: Callable[[], Payment], amount: Decimal, method: PaymentMethod
) -> Payment:
    """Run ``write`` and commit; if a concurrent submission with the same key won the race, return its payment
    (when it asked for the same amount and method, see :func:`same_request`)."""
    agency_id, account_id = account.agency_id, account.id
    try:
        payment = write()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = ledger.find_by_key(agency_id, key)
        if existing is None:
            raise
        return same_request(existing, account_id, amount, method)
    return payment


def snapshot(payment: Payment) -> dict:
    """The audited fields of a payment, as ``{field: {"old": None, "new": value}}``."""
    fields = ("account_id", "amount", "method", "status", "reference", "collector_id", "commission_amount")
    return audit.diff({}, {name: getattr(payment, name) for name in fields})
