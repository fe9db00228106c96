"""The schedule arithmetic: dates per frequency (month ends, leap years), amounts that add up exactly, refusals."""

from datetime import date
from decimal import Decimal

import pytest

from app.errors import ValidationFailed
from app.plans.models import Frequency
from app.plans.schedule import MAX_INSTALMENTS, build_schedule

D = Decimal


def dates(rows):
    return [d for d, _ in rows]


def amounts(rows):
    return [a for _, a in rows]


def test_weekly_dates_step_seven_days_and_the_last_absorbs_rounding():
    rows = build_schedule(D("1000.00"), Frequency.WEEKLY, date(2026, 12, 28), count=3)
    assert dates(rows) == [date(2026, 12, 28), date(2027, 1, 4), date(2027, 1, 11)]
    assert amounts(rows) == [D("333.33"), D("333.33"), D("333.34")]


def test_biweekly_dates_step_fourteen_days_across_a_leap_day():
    rows = build_schedule(D("100.00"), Frequency.BIWEEKLY, date(2028, 2, 20), count=3)
    assert dates(rows) == [date(2028, 2, 20), date(2028, 3, 5), date(2028, 3, 19)]


def test_monthly_from_the_31st_falls_on_month_ends_and_returns_to_the_31st():
    rows = build_schedule(D("700.00"), Frequency.MONTHLY, date(2027, 1, 31), count=7)
    assert dates(rows) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
        date(2027, 7, 31),
    ]


def test_monthly_from_the_31st_in_a_leap_year_falls_on_february_29():
    rows = build_schedule(D("300.00"), Frequency.MONTHLY, date(2028, 1, 31), count=3)
    assert dates(rows) == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]


def test_monthly_from_february_29_keeps_the_29th_then_the_28th_next_february():
    rows = build_schedule(D("1300.00"), Frequency.MONTHLY, date(2028, 2, 29), count=13)
    assert dates(rows)[1] == date(2028, 3, 29) and dates(rows)[12] == date(2029, 2, 28)


@pytest.mark.parametrize(
    "total,count",
    [("1000.00", 3), ("0.05", 3), ("999999.99", 7), ("100.00", 520), ("12345.67", 11), ("0.01", 1)],
)
def test_equal_instalments_add_up_to_the_total_exactly(total, count):
    rows = build_schedule(D(total), Frequency.MONTHLY, date(2027, 1, 1), count=count)
    assert sum(amounts(rows)) == D(total) and len(rows) == count
    assert len(set(amounts(rows)[:-1])) <= 1 and amounts(rows)[-1] >= amounts(rows)[0]


def test_by_amount_the_last_instalment_is_the_remainder():
    rows = build_schedule(D("1000.00"), Frequency.WEEKLY, date(2027, 1, 1), amount=D("300.00"))
    assert amounts(rows) == [D("300.00"), D("300.00"), D("300.00"), D("100.00")]
    assert sum(amounts(rows)) == D("1000.00")


def test_by_amount_that_divides_the_total_has_no_remainder():
    rows = build_schedule(D("900.00"), Frequency.BIWEEKLY, date(2027, 1, 1), amount=D("300.00"))
    assert amounts(rows) == [D("300.00")] * 3


@pytest.mark.parametrize(
    "kwargs,field",
    [
        (dict(total=D("0"), count=3), "total"),
        (dict(total=D("-5"), count=3), "total"),
        (dict(total=D("1.005"), count=3), "total"),
        (dict(total=D("1e12"), count=3), "total"),
        (dict(total=D("NaN"), count=3), "total"),
        (dict(total=1.5, count=3), "total"),
        (dict(total=D("100"), count=0), "count"),
        (dict(total=D("100"), count=MAX_INSTALMENTS + 1), "count"),
        (dict(total=D("100"), count=True), "count"),
        (dict(total=D("0.02"), count=3), "count"),
        (dict(total=D("100")), "count"),
        (dict(total=D("100"), count=2, amount=D("50")), "count"),
        (dict(total=D("100"), amount=D("200")), "amount"),
        (dict(total=D("100"), amount=D("0.01")), "amount"),
        (dict(total=D("100"), amount=D("0")), "amount"),
    ],
)
def test_absurd_terms_are_refused_with_the_field_named(kwargs, field):
    total = kwargs.pop("total")
    with pytest.raises(ValidationFailed) as refused:
        build_schedule(total, Frequency.MONTHLY, date(2027, 1, 1), **kwargs)
    assert field in refused.value.fields and refused.value.status == 422


def test_dates_beyond_2200_are_refused():
    with pytest.raises(ValidationFailed) as refused:
        build_schedule(D("100"), Frequency.MONTHLY, date(2200, 6, 1), count=12)
    assert "first_due" in refused.value.fields
    with pytest.raises(ValidationFailed):
        build_schedule(D("100"), Frequency.MONTHLY, date(9999, 12, 31), count=1)
