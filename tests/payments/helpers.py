"""Small helpers shared by the payment tests."""

import uuid
from decimal import Decimal

from sqlalchemy import select

from app.payments.models import Payment
from app.payments.services import record
from tests.factories import db


def key() -> str:
    return uuid.uuid4().hex


def pay(account, amount: str, actor, method: str = "check") -> Payment:
    """Record a manual payment through the service."""
    return record.record_manual_payment(account.id, amount, method, "chk 1", None, key(), actor=actor)


def payments_of(account) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.account_id == account.id).order_by(Payment.id)))


def balance(account) -> Decimal:
    db.session.refresh(account)
    return account.current_balance
