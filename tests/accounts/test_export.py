"""The accounts list's CSV export: its filters and sort, scope, formula safety, the agency's day and currency,
streaming, audit; and the list's total and sortable headers."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.accounts.models import Account
from app.accounts.states import Status
from app.audit.models import AuditEvent
from tests import factories as f
from tests.exports import csv_rows, total
from tests.factories import db


@pytest.fixture
def listed(agency, admin, collector, other_collector):
    """Three accounts of the agency: two of the collector's (one settled), one of another collector's."""
    mine = f.walk_to(
        f.AccountFactory(agency=agency, original_amount=Decimal("1200.50")),
        Status.IN_CONTACT,
        admin=admin,
        collector=collector,
    )
    done = f.walk_to(
        f.AccountFactory(agency=agency, original_amount=Decimal("300")),
        Status.SETTLED,
        admin=admin,
        collector=collector,
    )
    theirs = f.walk_to(
        f.AccountFactory(agency=agency, original_amount=Decimal("50")),
        Status.ASSIGNED,
        admin=admin,
        collector=other_collector,
    )
    db.session.commit()
    return mine, done, theirs


def test_admin_export_holds_every_account_of_the_agency_and_nothing_else(login, admin, listed, foreign):
    rows = csv_rows(login(admin).get("/accounts/export.csv?status=all"))
    refs = {r["Account"] for r in rows}
    assert refs == {a.external_ref for a in listed}
    assert foreign.account.external_ref not in refs


def test_collector_export_holds_only_their_own_accounts(login, collector, listed):
    mine, done, _theirs = listed
    rows = csv_rows(login(collector).get("/accounts/export.csv?status=all"))
    assert {r["Account"] for r in rows} == {mine.external_ref, done.external_ref}


def test_export_applies_the_lists_filters_and_sort(login, admin, listed):
    mine, _done, theirs = listed
    rows = csv_rows(login(admin).get("/accounts/export.csv?status=open&sort=balance&dir=asc"))
    assert [r["Account"] for r in rows] == [theirs.external_ref, mine.external_ref]


def test_export_applies_the_search_and_a_collectors_open_filter(login, collector, listed):
    mine, done, _theirs = listed
    web = login(collector)
    assert [r["Account"] for r in csv_rows(web.get(f"/accounts/export.csv?q={mine.debtor.full_name}"))] == [
        mine.external_ref
    ]
    assert [r["Account"] for r in csv_rows(web.get("/accounts/export.csv?status=open"))] == [mine.external_ref]
    assert done.external_ref in {r["Account"] for r in csv_rows(web.get("/accounts/export.csv?status=settled"))}


def test_export_writes_amounts_in_the_agency_currency_and_times_in_its_timezone(login, admin, listed):
    mine = listed[0]
    # 03:30 UTC on 2 March is 22:30 on 1 March in New York.
    stamp = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)
    db.session.execute(update(Account).where(Account.id == mine.id).values(last_contact_at=stamp))
    db.session.commit()
    row = next(r for r in csv_rows(login(admin).get("/accounts/export.csv")) if r["Account"] == mine.external_ref)
    assert row["Original amount"] == "$1,200.50" and row["Balance"] == "$1,200.50"
    assert row["Last contact"] == "2026-03-01 22:30"
    assert row["Status"] == "In contact" and row["Collector"] == mine.assigned_collector.full_name


def test_export_cells_cannot_run_as_spreadsheet_formulas(login, admin, agency):
    debtor = f.DebtorFactory(agency_id=agency.id, full_name='=HYPERLINK("http://evil.test","x")')
    f.AccountFactory(agency=agency, debtor=debtor, external_ref="@SUM(A1)")
    db.session.commit()
    response = login(admin).get("/accounts/export.csv")
    text = response.get_data(as_text=True)
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert not re.search(r'(^|,)"?[=@+\-]', text.split("\n", 1)[1], re.M)


def test_export_is_streamed_by_a_generator(login, admin, listed):
    response = login(admin).get("/accounts/export.csv", buffered=False)
    assert response.is_streamed and not isinstance(response.response, list | tuple)
    assert next(iter(response.response))  # a first chunk, before the rest is read
    response.close()


def test_export_is_audited_with_its_filters_and_row_count(login, admin, listed):
    csv_rows(login(admin).get("/accounts/export.csv?status=open"))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "accounts.exported")).one()
    assert event.actor_id == admin.id and event.changes["rows"] == 2 and event.changes["complete"] is True
    assert event.changes["filters"]["status"] == "open"


def test_export_with_bad_filters_is_a_422(login, admin):
    response = login(admin).get("/accounts/export.csv?balance_min=abc")
    assert response.status_code == 422


def test_open_filter_and_totals_line(login, admin, listed):
    body = login(admin).get("/accounts/?status=open").get_data(as_text=True)
    assert "1–2 of 2 accounts" in body
    assert listed[1].external_ref not in body  # settled


def test_totals_line_counts_past_the_page(app, login, admin, agency):
    for _ in range(4):
        f.AccountFactory(agency=agency)
    db.session.commit()
    app.config["PAGE_SIZE"], size = 3, app.config["PAGE_SIZE"]
    try:
        body = login(admin).get("/accounts/?page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    assert "4–4 of 4 accounts" in body


def test_a_list_longer_than_its_page_asks_for_its_total_after_showing(app, login, admin, agency):
    for _ in range(3):
        f.AccountFactory(agency=agency)
    db.session.commit()
    app.config["PAGE_SIZE"], size = 2, app.config["PAGE_SIZE"]
    try:
        web = login(admin)
        body = web.get("/accounts/?status=new").get_data(as_text=True)
        fragment = web.get("/accounts/?status=new&count=1", htmx=True, target="list-total")
        no_js = web.get("/accounts/?status=new&count=1").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    assert "1–2 of many accounts" in body and 'hx-get="/accounts/?status=new&amp;count=1"' in body
    assert "<noscript>" in body
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text and "<table" not in text
    assert "1–2 of 3 accounts" in text and "1–2 of 3 accounts" in no_js


def test_a_large_total_on_postgresql_is_labelled_as_an_estimate_or_a_floor(app, login, admin, agency, is_postgres):
    for _ in range(4):
        f.AccountFactory(agency=agency)
    db.session.commit()
    app.config["LIST_COUNT_CAP"], app.config["PAGE_SIZE"], size = 2, 1, app.config["PAGE_SIZE"]
    try:
        body = login(admin).get("/accounts/?count=1").get_data(as_text=True)
    finally:
        del app.config["LIST_COUNT_CAP"]
        app.config["PAGE_SIZE"] = size
    if is_postgres:
        assert re.search(r"of (about [\d,]+ accounts <small[^>]*>\(estimate\)|more than 2 accounts)", body)
    else:
        assert "1–1 of 4 accounts" in body  # SQLite always counts


def test_sort_headers_keep_the_filters_and_flip_the_direction(login, admin, listed):
    body = login(admin).get("/accounts/?status=open&sort=balance&dir=desc").get_data(as_text=True)
    assert 'href="/accounts/?status=open&amp;sort=balance&amp;dir=asc"' in body
    assert 'aria-sort="descending"' in body
    assert 'href="/accounts/?status=open&amp;sort=due_date&amp;dir=asc"' in body
    assert "/accounts/export.csv?status=open&amp;sort=balance&amp;dir=desc" in body


def test_paging_links_keep_the_sort(app, login, admin, agency):
    for n in range(3):
        f.AccountFactory(agency=agency, original_amount=Decimal(100 + n))
    db.session.commit()
    app.config["PAGE_SIZE"], size = 2, app.config["PAGE_SIZE"]
    try:
        body = login(admin).get("/accounts/?sort=balance&dir=asc").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    assert "sort=balance&amp;dir=asc&amp;page=2" in body


def test_sorted_list_and_export_agree(login, admin, listed):
    web = login(admin)
    rows = csv_rows(web.get("/accounts/export.csv?status=all&sort=balance&dir=desc"))
    body = web.get("/accounts/?status=all&sort=balance&dir=desc").get_data(as_text=True)
    listed_refs = re.findall(r">(ACC-\d+)</a>", body)
    assert listed_refs == [r["Account"] for r in rows]
    assert total(rows, "Balance") == sum(a.current_balance for a in listed)
