"""Schedule arithmetic: one pure function from the terms of a plan to its due dates and amounts."""

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta

from app.agencyday import is_plausible_day
from app.errors import ValidationFailed
from app.plans.models import Frequency

CENT = Decimal("0.01")
MAX_TOTAL = Decimal("9999999999.99")
MAX_INSTALMENTS = 520  # ten years of weekly instalments
STEP_DAYS = {Frequency.WEEKLY: 7, Frequency.BIWEEKLY: 14}


def due_date(first: date, frequency: Frequency, index: int) -> date:
    """The ``index``-th due date (0 is ``first``). Monthly dates are computed from the first date each time, not
    chained, so a plan starting on the 31st falls on the last day of shorter months and returns to the 31st."""
    if frequency == Frequency.MONTHLY:
        return first + relativedelta(months=index)
    return first + timedelta(days=STEP_DAYS[frequency] * index)


def build_schedule(
    total: Decimal, frequency: Frequency, first: date, *, count: int | None = None, amount: Decimal | None = None
) -> list[tuple[date, Decimal]]:
    """(due date, amount) of each instalment: ``count`` equal instalments, or instalments of ``amount``.

    Amounts are whole cents; the last instalment absorbs the rounding (or is the remainder), so the amounts add
    up to ``total`` exactly. Raises ValidationFailed (422) for absurd terms: a total or amount that is not a
    positive number of cents, both or neither of count and amount, too many instalments, dates beyond 2200.
    """
    if count is not None and amount is not None:
        raise _refused("Give either the number of instalments or the amount of each, not both.", "count")
    total = _cents(total, "total")
    amounts = _by_amount(total, amount) if amount is not None else _equal_split(total, count)
    _check_dates(first, frequency, len(amounts))
    return [(due_date(first, frequency, i), value) for i, value in enumerate(amounts)]


def _equal_split(total: Decimal, count: int | None) -> list[Decimal]:
    if count is None:
        raise _refused("Give the number of instalments or the amount of each.", "count")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_INSTALMENTS:
        raise _refused(f"The number of instalments must be 1 to {MAX_INSTALMENTS}.", "count")
    each = (total / count).quantize(CENT, ROUND_DOWN)
    if each <= 0:
        raise _refused("Each instalment would be less than one cent; choose fewer instalments.", "count")
    return [each] * (count - 1) + [total - each * (count - 1)]


def _by_amount(total: Decimal, amount: Decimal) -> list[Decimal]:
    amount = _cents(amount, "amount")
    if amount > total:
        raise _refused("The instalment amount is above the total.", "amount")
    full, rest = divmod(total, amount)
    if full + (1 if rest else 0) > MAX_INSTALMENTS:
        raise _refused(f"That makes more than {MAX_INSTALMENTS} instalments; choose a larger amount.", "amount")
    return [amount] * int(full) + ([rest] if rest else [])


def _cents(value, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise _refused("Enter an amount such as 125.50.", field)
    value = Decimal(value)
    if value <= 0 or value > MAX_TOTAL or value != value.quantize(CENT):
        raise _refused("Enter a positive amount with at most two decimals.", field)
    return value.quantize(CENT)


def _check_dates(first: date, frequency: Frequency, count: int) -> None:
    if not isinstance(first, date) or not is_plausible_day(first):
        raise _refused("Enter a first due date between 1900 and 2200.", "first_due")
    if frequency not in STEP_DAYS and frequency != Frequency.MONTHLY:
        raise _refused("Choose weekly, biweekly or monthly.", "frequency")
    if not is_plausible_day(due_date(first, frequency, count - 1)):
        raise _refused("The last instalment would fall after 2200.", "first_due")


def _refused(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, {field: message})
