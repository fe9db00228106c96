"""The payments list's CSV export, total and sort; the 'Received' filter and dates of completion."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.accounts.states import Status
from app.payments.models import Payment
from app.payments.services import record, refunds
from tests import factories as f
from tests.exports import csv_rows, total
from tests.factories import db
from tests.payments.helpers import key, pay


@pytest.fixture
def paid(agency, admin, collector, other_collector):
    mine = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector)
    theirs = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=other_collector)
    small, big = pay(mine, "100", admin), pay(theirs, "250.75", admin)
    refunds.refund_payment(big.id, "50", "goodwill", key(), actor=admin)
    db.session.commit()
    return small, big


def test_export_holds_the_scope_with_net_amounts(login, admin, collector, paid, foreign):
    small, big = paid
    rows = csv_rows(login(admin).get("/payments/export.csv?sort=amount&dir=asc"))
    assert [r["Amount"] for r in rows] == ["$100.00", "$250.75"]
    assert rows[1]["Refunded"] == "$50.00" and rows[1]["Net"] == "$200.75"
    assert total(rows, "Net") == Decimal("300.75")
    assert {r["Account"] for r in rows} == {small.account.external_ref, big.account.external_ref}
    mine = csv_rows(login(collector).get("/payments/export.csv"))
    assert [r["Account"] for r in mine] == [small.account.external_ref]


def test_dates_of_completion_are_agency_days(login, admin, paid):
    small, big = paid
    # 03:30 UTC on 2 March is 1 March in New York.
    db.session.execute(
        update(Payment).where(Payment.id == small.id).values(completed_at=datetime(2026, 3, 2, 3, 30, tzinfo=UTC))
    )
    db.session.execute(
        update(Payment).where(Payment.id == big.id).values(completed_at=datetime(2026, 3, 2, 12, tzinfo=UTC))
    )
    db.session.commit()
    url = "/payments/export.csv?status=applied&dates=completed&date_from=2026-03-01&date_to=2026-03-01"
    rows = csv_rows(login(admin).get(url))
    assert [r["Completed"] for r in rows] == ["2026-03-01 22:30"]


def test_export_neutralises_formulas(login, admin, agency, collector):
    account = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector)

    record.record_manual_payment(account.id, "10", "check", "=cmd|' /C calc'!A0", None, key(), actor=admin)
    db.session.commit()
    text = login(admin).get("/payments/export.csv").get_data(as_text=True)
    assert "'=cmd" in text and ",=cmd" not in text


def test_list_shows_total_sort_links_and_export_link(login, admin, paid):
    body = login(admin).get("/payments/?status=applied&sort=amount&dir=asc").get_data(as_text=True)
    assert "1–2 of 2 payments" in body
    assert 'href="/payments/?status=applied&amp;sort=amount&amp;dir=desc"' in body
    assert "/payments/export.csv?status=applied&amp;sort=amount&amp;dir=asc" in body
    assert body.index("$100.00") < body.index("$250.75")


def test_bad_filters_on_export_are_a_422(login, admin):
    assert login(admin).get("/payments/export.csv?date_from=2026-02-31").status_code == 422
