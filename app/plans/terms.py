"""The terms of a new promise, plan or settlement, checked against the account and the creditor's bounds.

Pure checks and the preview: nothing here writes; ``services`` calls these before it does.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_UP, Decimal

from app.accounts.models import Account
from app.accounts.states import Status
from app.agencyday import local_today
from app.errors import ValidationFailed
from app.payments.services.ledger import parse_amount
from app.plans.models import ZERO, Frequency, PlanKind
from app.plans.schedule import build_schedule
from app.plans.settings import bounds_for

HUNDRED = Decimal(100)
# Accounts no promise or plan may be agreed on: settled and closed are done; a disputed one is on hold.
NO_PLAN_STATUSES = (Status.SETTLED, Status.CLOSED, Status.DISPUTED)


@dataclass
class Terms:
    """What the collector asked for (amounts already Decimal, dates parsed)."""

    kind: PlanKind
    total: Decimal
    first_due: date
    frequency: Frequency | None = None
    count: int | None = None
    amount: Decimal | None = None


@dataclass
class Preview:
    """The schedule a set of terms gives on an account, shown before it is confirmed."""

    terms: Terms
    instalments: list[tuple[date, Decimal]]
    balance: Decimal
    waived: Decimal = ZERO  # what a settlement forgives if kept
    notes: list[str] = field(default_factory=list)


def preview(account: Account, terms: Terms, tz: str) -> Preview:
    """The schedule of ``terms`` on ``account``; ValidationFailed when the account or the terms refuse it."""
    check_account(account)
    if terms.first_due < local_today(tz):
        raise _refused("The first due date cannot be in the past.", "first_due")
    if terms.total > account.current_balance:
        raise _refused(f"The total is above the current balance of {account.current_balance}.", "total")
    frequency = terms.frequency or Frequency.MONTHLY  # a promise is one instalment: its frequency is moot
    count = 1 if terms.kind == PlanKind.PROMISE else terms.count
    amount = None if terms.kind == PlanKind.PROMISE else terms.amount
    rows = build_schedule(terms.total, frequency, terms.first_due, count=count, amount=amount)
    result = Preview(terms, rows, account.current_balance)
    if terms.kind == PlanKind.SETTLEMENT:
        _check_settlement(account, result)
    return result


def check_account(account: Account) -> None:
    """ValidationFailed when the account takes no promise or plan at all (whatever the terms)."""
    if account.status in NO_PLAN_STATUSES:
        raise ValidationFailed(f"An account in {account.status.label} takes no promise or plan.")
    if account.current_balance <= 0:
        raise ValidationFailed("The account has no balance left to plan.")


def _check_settlement(account: Account, result: Preview) -> None:
    """Within the creditor's bounds: a discount up to its maximum, each instalment but the remainder at least its
    minimum. Without bounds set, no discount is allowed (the admin has not said the creditor accepts any)."""
    bounds = _bounds(account)
    max_discount = bounds.max_discount_percent if bounds else ZERO
    result.waived = account.current_balance - result.terms.total
    if result.waived <= 0:
        raise _refused("A settlement is for less than the balance; use a plan for the whole balance.", "total")
    if result.waived * HUNDRED > account.current_balance * max_discount:
        floor = _floor(account.current_balance, max_discount)
        message = f"The creditor allows a discount of at most {max_discount}%: settle for {floor} or more."
        raise _refused(message, "total")
    minimum = bounds.min_instalment if bounds else ZERO
    regular = [value for _, value in result.instalments[:-1]] or [result.instalments[0][1]]
    if min(regular) < minimum:
        raise _refused(f"The creditor's minimum instalment is {minimum}.", "amount" if result.terms.amount else "count")


def settlement_floor(account: Account) -> Decimal | None:
    """The least the creditor's bounds let the account settle for, or None when they allow no discount."""
    bounds = _bounds(account)
    if bounds is None or bounds.max_discount_percent <= 0:
        return None
    return _floor(account.current_balance, bounds.max_discount_percent)


def _bounds(account: Account):
    return bounds_for(account.agency_id, account.creditor_id) if account.creditor_id else None


def _floor(balance: Decimal, max_discount: Decimal) -> Decimal:
    # Up to the cent: rounded to nearest, the figure could forgive a fraction of a cent more than the bounds allow.
    return (balance * (HUNDRED - max_discount) / HUNDRED).quantize(Decimal("0.01"), ROUND_UP)


def _refused(message: str, field_name: str) -> ValidationFailed:
    return ValidationFailed(message, {field_name: message})


def parse_terms(kind, total, frequency, first_due: date | None, count=None, amount=None) -> Terms:
    """Terms from loosely typed input (a form's strings, the API's values); ValidationFailed naming the field."""
    try:
        plan_kind = PlanKind(kind)
    except ValueError:
        raise _refused("Choose a promise, a plan or a settlement.", "kind") from None
    parsed = Terms(plan_kind, parse_amount(total, "total"), _first_due(first_due))
    if plan_kind == PlanKind.PROMISE:
        return parsed
    try:
        parsed.frequency = Frequency(frequency)
    except ValueError:
        raise _refused("Choose weekly, biweekly or monthly.", "frequency") from None
    parsed.count = None if count in (None, "") else _count(count)
    parsed.amount = None if amount in (None, "") else parse_amount(amount, "amount")
    return parsed


def _first_due(value) -> date:
    if not isinstance(value, date):
        raise _refused("Enter the first due date.", "first_due")
    return value


def _count(value) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or len(text) > 4:
        raise _refused("Enter the number of instalments, e.g. 6.", "count")
    return int(text)
