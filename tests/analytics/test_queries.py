"""Every analytics figure against values computed by hand from the book in conftest.py."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from app.accounts.states import Status
from app.analytics import queries
from app.analytics.periods import Range, parse_granularity, parse_range
from app.errors import ValidationFailed
from tests import factories as f
from tests.analytics.conftest import NOW, TODAY


def test_dashboard_figures(book):
    fig = queries.get_dashboard_figures(book.admin, now=NOW)
    assert fig.active_accounts == 4  # a1, a3, a4, a5
    assert fig.outstanding == D("1700.00")  # 400 + 600 + 400 + 300
    assert fig.placed == D("3200.00")  # 1000 + 500 + 800 + 400 + 300 + 200
    assert fig.collected_all == D("1300.00")  # 600 (a1) + 500 (a2) + 200 (a3 net) + 0 (a4 refunded)
    assert fig.collected_month == D("500.00")  # a1 100 + 200, a3 200; a2 paid Feb 28 local time
    assert fig.collected_today == D("200.00")  # a1 at 10:00 EDT; a3's 03:30 UTC is yesterday locally
    assert fig.recovery_rate == D("0.4062")  # 1300 / 3200 = 0.40625
    assert fig.by_status == {
        Status.IN_CONTACT: 2,
        Status.SETTLED: 1,
        Status.ASSIGNED: 1,
        Status.NEW: 1,
        Status.CLOSED: 1,
    }
    assert (fig.import_files, fig.import_rows, fig.import_errors) == (1, 100, 5)  # 40-day-old and duplicate left out
    assert fig.import_error_rate == D("0.0500")


def test_payment_trend_by_month_counts_refunded_payments_at_zero(book):
    points = queries.get_payment_trend(book.admin, Range(date(2026, 2, 1), TODAY), "month")
    assert [(p.start, p.net, p.count) for p in points] == [
        (date(2026, 2, 1), D("800.00"), 3),  # a1 300, a2 500 (local Feb 28), a4 150 − 150
        (date(2026, 3, 1), D("500.00"), 3),  # a1 100 + 200, a3 300 − 100
    ]


def test_payment_trend_by_day_shows_empty_days_as_zero_in_agency_time(book):
    points = queries.get_payment_trend(book.admin, Range(date(2026, 3, 12), TODAY), "day")
    assert [(p.start.day, p.net, p.count) for p in points] == [
        (12, D("0"), 0),
        (13, D("0"), 0),
        (14, D("200.00"), 1),
        (15, D("200.00"), 1),
    ]


def test_payment_trend_by_week_starts_on_monday(book):
    points = queries.get_payment_trend(book.admin, Range(date(2026, 2, 23), TODAY), "week")
    assert [(p.start, p.net, p.count) for p in points] == [
        (date(2026, 2, 23), D("500.00"), 1),
        (date(2026, 3, 2), D("100.00"), 1),
        (date(2026, 3, 9), D("400.00"), 2),
    ]


def test_aging_buckets_open_accounts_only(book):
    rows = {r.key: (r.count, r.balance) for r in queries.get_aging(book.admin, today=TODAY)}
    assert rows == {
        "not_due": (1, D("300.00")),  # a5
        "0_30": (1, D("400.00")),  # a1; a2 is settled
        "31_60": (0, D("0.00")),
        "61_90": (0, D("0.00")),
        "91_180": (1, D("400.00")),  # a4
        "180_plus": (0, D("0.00")),  # a6 is closed
        "no_due_date": (1, D("600.00")),  # a3
    }


@pytest.mark.parametrize(
    "days_past,bucket",
    [
        (-1, "not_due"),
        (0, "0_30"),
        (30, "0_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "91_180"),
        (180, "91_180"),
        (181, "180_plus"),
    ],
)
def test_aging_bucket_edges(admin, agency, days_past, bucket):
    f.AccountFactory(agency=agency, due_date=TODAY - timedelta(days=days_past))
    counts = {r.key: r.count for r in queries.get_aging(admin, today=TODAY)}
    assert counts[bucket] == 1 and sum(counts.values()) == 1


def test_collector_performance(book):
    rows = {r.collector.id: r for r in queries.get_collector_performance(book.admin, Range(date(2026, 2, 15), TODAY))}
    c1, c2, idle = rows[book.c1.id], rows[book.c2.id], rows[book.idle.id]
    assert (c1.assigned, c1.contacted, c1.paying, c1.converted, c1.settled) == (3, 1, 2, 2, 1)
    assert (c1.collected, c1.commission) == (D("800.00"), D("80.00"))  # 100 + 200 + 500, at 10 %
    assert c1.conversion_rate == D("0.6667")  # a1 and a2 of a1, a2, a6
    assert c1.avg_days_to_first_payment == D("4.8")  # (8.6875 + 1.0) / 2; a1's Feb 10 payment predates it
    assert (c2.assigned, c2.contacted, c2.paying, c2.converted, c2.settled) == (1, 0, 1, 1, 0)  # a4 fully refunded
    assert (c2.collected, c2.commission) == (D("200.00"), D("20.00"))  # a3 net; commission 30 − 10 reversed
    assert c2.avg_days_to_first_payment == D("4.6")  # Mar 10 12:00 → Mar 15 03:30 = 4.65 days
    assert (idle.assigned, idle.collected, idle.conversion_rate, idle.avg_days_to_first_payment) == (0, 0, None, None)
    assert len(rows) == 3  # the second agency's collector is not listed


def test_collector_performance_sorts(book):
    rng = Range(date(2026, 2, 15), TODAY)
    by_collected = queries.get_collector_performance(book.admin, rng, sort="collected", desc=True)
    assert [r.collector.id for r in by_collected] == [book.c1.id, book.c2.id, book.idle.id]
    by_name = queries.get_collector_performance(book.admin, rng, sort="bogus")
    assert [r.collector.full_name for r in by_name] == ["Carl Collector", "Olga Other", "Zed Idle"]


def test_second_agency_sees_only_its_own(book, foreign):
    fig = queries.get_dashboard_figures(foreign.admin, now=NOW)
    assert (fig.active_accounts, fig.placed, fig.collected_all, fig.import_rows) == (1, D("1000.00"), D("999.00"), 70)


@pytest.mark.parametrize(
    "raw_from,raw_to", [("2026-13-01", None), ("yesterday", None), (None, "0001-01-01"), ("2026-03-10", "2026-03-01")]
)
def test_bad_ranges_are_validation_errors(raw_from, raw_to):
    with pytest.raises(ValidationFailed):
        parse_range(raw_from, raw_to, "America/New_York")


def test_unknown_granularity_and_too_many_points_are_refused(admin):
    with pytest.raises(ValidationFailed):
        parse_granularity("hour")
    with pytest.raises(ValidationFailed, match="coarser"):
        queries.get_payment_trend(admin, Range(date(2000, 1, 1), TODAY), "day")
