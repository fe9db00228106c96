"""The agency's day (``app.agencyday``): one definition, and every date shown, filtered or recorded agrees with it."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from app import agencyday
from app.analytics.periods import Range
from app.analytics.queries import get_dashboard_figures, get_payment_trend
from app.errors import ValidationFailed
from app.payments.models import Payment
from app.payments.queries import PaymentFilters, list_payments
from app.payments.services import record
from tests import factories as f
from tests.factories import db
from tests.payments.helpers import key, pay

LA = "America/Los_Angeles"
LATE = datetime(2026, 3, 15, 6, 30, tzinfo=UTC)  # 23:30 on 14 March in Los Angeles (PDT, UTC−7)
DAY, NEXT = date(2026, 3, 14), date(2026, 3, 15)


def test_an_instant_falls_on_the_agency_local_day():
    assert agencyday.local_date(LATE, LA) == DAY and agencyday.local_date(LATE, "UTC") == NEXT
    assert agencyday.local_today(LA, now=LATE) == DAY
    assert agencyday.local_time(LATE, LA).strftime("%H:%M") == "23:30"


def test_a_local_day_has_utc_bounds_including_its_start_and_excluding_its_end():
    assert agencyday.day_bounds(DAY, LA) == (datetime(2026, 3, 14, 7, tzinfo=UTC), datetime(2026, 3, 15, 7, tzinfo=UTC))
    start, end = agencyday.day_bounds(date(2026, 3, 8), LA)  # clocks go forward: a 23-hour day
    assert end - start == timedelta(hours=23) and agencyday.day_end(date(2026, 3, 8), LA) == end


@pytest.fixture
def late_payment():
    """A check of 123.45 recorded by a Los Angeles agency at 23:30 local time (already the next day in UTC)."""
    agency = f.AgencyFactory(timezone=LA)
    admin = f.AdminFactory(agency=agency)
    payment = pay(f.AccountFactory(agency=agency), "123.45", admin)
    db.session.execute(update(Payment).where(Payment.id == payment.id).values(created_at=LATE, completed_at=LATE))
    db.session.commit()
    return SimpleNamespace(admin=admin, payment=payment)


def test_a_late_evening_payment_is_on_the_same_agency_day_in_list_dashboard_trend_and_csv(late_payment, login):
    admin, amount = late_payment.admin, Decimal("123.45")
    on = lambda day: PaymentFilters(date_from=day, date_to=day)  # noqa: E731
    assert [p.id for p in list_payments(admin, on(DAY)).items] == [late_payment.payment.id]
    assert list_payments(admin, on(NEXT)).items == []
    figures = get_dashboard_figures(admin, now=LATE + timedelta(minutes=10))
    assert figures.today == DAY and figures.collected_today == amount
    assert get_dashboard_figures(admin, now=LATE + timedelta(hours=1)).collected_today == 0
    trend = get_payment_trend(admin, Range(DAY, NEXT), "day")
    assert [(p.start, p.net, p.count) for p in trend] == [(DAY, amount, 1), (NEXT, 0, 0)]
    web = login(admin)
    rows = csv.reader(io.StringIO(web.get("/analytics/trend.csv?from=2026-03-14&to=2026-03-15").get_data(as_text=True)))
    assert [(day, Decimal(net)) for day, net, _ in list(rows)[1:]] == [("2026-03-14", amount), ("2026-03-15", 0)]
    listed = web.get("/payments/?date_from=2026-03-14&date_to=2026-03-14").get_data(as_text=True)
    assert "2026-03-14 23:30" in listed and "$123.45" in listed
    assert "$123.45" not in web.get("/payments/?date_from=2026-03-15&date_to=2026-03-15").get_data(as_text=True)


def _agency_apart_from_the_server() -> str:
    """A timezone whose today differs from the server's (these two are 25 hours apart, so one always does)."""
    return next(tz for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago") if agencyday.local_today(tz) != date.today())


def test_a_manual_payment_is_received_on_the_agency_today_by_default():
    tz = _agency_apart_from_the_server()
    agency = f.AgencyFactory(timezone=tz)
    payment = pay(f.AccountFactory(agency=agency), "10.00", f.AdminFactory(agency=agency))
    assert payment.received_on == agencyday.local_today(tz)


def test_the_received_date_may_be_the_agency_today_but_not_its_tomorrow():
    tz = "Pacific/Kiritimati"  # UTC+14: its today is the server's tomorrow for most of the day
    agency = f.AgencyFactory(timezone=tz)
    admin, account = f.AdminFactory(agency=agency), f.AccountFactory(agency=agency)
    today = agencyday.local_today(tz)
    payment = record.record_manual_payment(account.id, "10.00", "cash", "", today, key(), actor=admin)
    assert payment.received_on == today
    with pytest.raises(ValidationFailed, match="cannot be in the future"):
        record.record_manual_payment(account.id, "10.00", "cash", "", today + timedelta(days=1), key(), actor=admin)
