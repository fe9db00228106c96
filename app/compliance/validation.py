"""The validation period's end date (12 CFR 1006.34(b)(5)), computed once here and printed on the notice.

The consumer is assumed to receive the notice on the fifth day after it is sent, counting only days that are
not Saturdays, Sundays or federal legal public holidays (5 U.S.C. 6103(a), by their observed dates: a holiday
on a Saturday is observed on the Friday before, one on a Sunday on the Monday after); the period ends 30
calendar days after that day.
"""

from datetime import date, timedelta
from functools import cache

import holidays

RECEIPT_DAYS = 5
PERIOD_DAYS = 30
SATURDAY = 5


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    """The days of ``year`` that are federal legal public holidays or their observed dates. The neighbouring
    years are asked too: New Year's Day on a Saturday is observed on the 31st of December before it."""
    calendar = holidays.US(years=(year - 1, year, year + 1), observed=True)
    return frozenset(day for day in calendar if day.year == year)


def is_business_day(day: date) -> bool:
    """Not a Saturday, a Sunday nor a federal legal public holiday (by its observed date)."""
    return day.weekday() < SATURDAY and day not in _federal_holidays(day.year)


def assumed_receipt(sent_on: date) -> date:
    """The fifth day after ``sent_on`` that is a business day (the sending day itself does not count)."""
    day, counted = sent_on, 0
    while counted < RECEIPT_DAYS:
        day += timedelta(days=1)
        counted += is_business_day(day)
    return day


def period_ends(sent_on: date) -> date:
    """The last day of the validation period of a notice sent on ``sent_on``: 30 days after assumed receipt."""
    return assumed_receipt(sent_on) + timedelta(days=PERIOD_DAYS)
