"""Hostile input over HTTP (issue 13): each probe that gave a 500 now gets a clear 4xx and stores nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import Activity, ActivityKind
from app.agencies.models import Agency
from app.auth.models import User
from app.csvcells import neutralise
from app.imports.models import ImportJob, ImportSource, SourceKind
from app.payments.models import Payment
from tests import factories as f
from tests.payments.helpers import key

NUL = "\x00"
HUGE_PAGE = "400000000000000000"


def count(model) -> int:
    return f.db.session.scalar(select(func.count()).select_from(model))


def payments(account) -> list[Payment]:
    """The account's payments (PostgreSQL keeps other tests' committed ones: count only ours)."""
    return list(f.db.session.scalars(select(Payment).where(Payment.account_id == account.id)))


def assert_invalid_characters(response):
    assert response.status_code == 400, response.status_code
    assert "invalid characters" in response.get_data(as_text=True)


# --- NUL bytes --------------------------------------------------------------------------------------------


def test_nul_in_the_login_username_is_400(web, collector):
    assert_invalid_characters(web.post("/login", {"username": "carl" + NUL, "password": f.PASSWORD}))


def test_nul_in_a_note_is_400_and_adds_nothing(login, collector, assigned_account):
    before = count(Activity)
    assert_invalid_characters(login(collector).post(f"/accounts/{assigned_account.id}/notes", {"body": "hi" + NUL}))
    assert count(Activity) == before


def test_nul_in_a_collectors_name_is_400(login, admin):
    data = {"username": "nul", "full_name": "Nu" + NUL + "l", "email": "n@example.test", "commission_rate": "10"}
    assert_invalid_characters(login(admin).post("/settings/collectors/new", {**data, "max_open_accounts": "5"}))
    assert f.db.session.scalar(select(User).where(User.username == "nul")) is None


def test_nul_in_a_payment_reference_is_400_and_records_nothing(login, collector, assigned_account):
    data = {"amount": "10.00", "method": "check", "reference": "chk" + NUL, "idempotency_key": key()}
    assert_invalid_characters(login(collector).post(f"/payments/accounts/{assigned_account.id}/manual", data))
    assert payments(assigned_account) == []


def test_nul_in_the_agency_name_is_400(login, admin, agency):
    data = {"name": "Apex" + NUL, "timezone": "UTC", "currency": "USD"}
    assert_invalid_characters(login(admin).post("/settings/", data))
    assert f.db.session.get(Agency, agency.id).name == "Apex Test Agency"


@pytest.mark.parametrize("url", ["/worklist?q=%00", "/worklist?q=ab%00c", "/worklist?%00=1", "/payments/pay/%00"])
def test_nul_in_a_query_or_path_is_400(login, collector, url):
    assert_invalid_characters(login(collector).get(url))


def test_nul_in_the_admin_search_is_400_for_htmx_too(login, admin):
    response = login(admin).get("/accounts/?q=%00", htmx=True, target="account-table")
    assert response.status_code == 400 and response.headers["HX-Retarget"] == "#flash"


def test_nul_in_a_json_body_is_a_json_400(login, collector, assigned_account, client):
    web = login(collector)
    body = {"account_id": assigned_account.id, "amount": "5.00", "idempotency_key": "k" * 20 + NUL}
    response = client.post("/api/v1/payments/card-requests", json=body, headers={"X-CSRFToken": web.csrf()})
    assert response.status_code == 400 and "NUL" in response.get_json()["detail"]


# --- page numbers -----------------------------------------------------------------------------------------

ADMIN_LISTS = ["/accounts/", "/audit/", "/payments/", "/imports/"]


@pytest.fixture
def job(agency):
    job = ImportJob(agency_id=agency.id, file_name="a.csv", stored_path="/nowhere/a.csv", sha256="0" * 64)
    f.db.session.add(job)
    f.db.session.commit()
    return job


def admin_lists(job, account) -> list[str]:
    return [*ADMIN_LISTS, f"/imports/{job.id}", f"/accounts/{account.id}"]


def test_huge_page_numbers_are_404_on_every_list(login, admin, job, account, assigned_account):
    web = login(admin)
    for url in admin_lists(job, account):
        for page in (HUGE_PAGE, "1" * 5000, "0" * 5000 + "1000001", "1000001"):
            response = web.get(f"{url}?page={page}")
            assert response.status_code == 404, (url, page, response.status_code)
    timeline = f"/accounts/{account.id}/timeline?page={HUGE_PAGE}"
    assert web.get(timeline, htmx=True, target="timeline").status_code == 404


def test_the_collectors_worklist_refuses_huge_pages_too(login, collector, assigned_account):
    assert login(collector).get(f"/worklist?page={HUGE_PAGE}").status_code == 404


def test_a_page_past_the_data_is_empty_and_links_to_the_first(login, admin, job, account):
    web = login(admin)
    for url in [*ADMIN_LISTS, f"/imports/{job.id}"]:
        response = web.get(f"{url}?page=999999")
        body = response.get_data(as_text=True)
        assert response.status_code == 200, (url, response.status_code)
        assert "Page 999999" in body and "page=1" in body and "First page" in body, url
    assert web.get(f"/accounts/{account.id}/timeline?page=999999", htmx=True).status_code == 200


@pytest.mark.parametrize("page", ["５", "١٠", "abc", "0", "-1", "1.5"])
def test_malformed_page_numbers_are_400(login, admin, page):
    web = login(admin)
    for url in ADMIN_LISTS:
        response = web.get(f"{url}?page={page}")
        assert response.status_code == 400 and "whole number" in response.get_data(as_text=True), url


# --- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/payments/", "/audit/"])
@pytest.mark.parametrize(
    "query, message",
    [
        ("date_to=9999-12-31", "Enter a date between 1900-01-01 and 2200-12-31"),
        ("date_from=9999-12-31", "Enter a date between 1900-01-01 and 2200-12-31"),
        ("date_from=0001-01-01", "Enter a date between 1900-01-01 and 2200-12-31"),
        ("date_from=0000-01-01", "Not a valid date value"),
        ("date_to=10000-01-01", "Not a valid date value"),
        ("date_from=2026-05-02&date_to=2026-05-01", "Must not be before"),
    ],
)
def test_absurd_filter_dates_get_a_message(login, admin, url, query, message):
    response = login(admin).get(f"{url}?{query}")
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_analytics_refuses_absurd_dates(login, admin):
    response = login(admin).get("/analytics/trend?to=9999-12-31", htmx=True)
    assert response.status_code == 422


# --- the import source form -------------------------------------------------------------------------------


@pytest.fixture
def source(agency):
    source = ImportSource(
        agency_id=agency.id, name="Bank drop", kind=SourceKind.SFTP, host="sftp.example.test", port=2222,
        username="bank", host_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        remote_dir="/upload", processed_dir="/upload/processed",
    )  # fmt: skip
    source.password = "secret"  # noqa: S105
    f.db.session.add(source)
    f.db.session.commit()
    return source


CRAFTED = {"name": "Bank drop", "kind": "sftp", "remote_dir": "/upload", "processed_dir": "/done", "pattern": "*.csv"}


def test_a_crafted_source_post_without_connection_fields_is_422_and_changes_nothing(login, admin, source):
    response = login(admin).post(f"/imports/sources/{source.id}", {**CRAFTED, "poll_interval_minutes": "15"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "needs a host" in body and "needs a username" in body and "needs a port" in body and "Pin the" in body
    f.db.session.expire_all()
    stored = f.db.session.get(ImportSource, source.id)
    assert (stored.host, stored.port, stored.username, stored.processed_dir) == (
        "sftp.example.test", 2222, "bank", "/upload/processed"
    )  # fmt: skip


def sources_of(agency) -> list[ImportSource]:
    return list(f.db.session.scalars(select(ImportSource).where(ImportSource.agency_id == agency.id)))


def test_a_crafted_new_source_without_them_stores_nothing(login, admin, agency):
    response = login(admin).post("/imports/sources/new", {**CRAFTED, "poll_interval_minutes": "15"})
    assert response.status_code == 422 and sources_of(agency) == []


def test_a_crafted_source_post_without_the_poll_interval_is_422(login, admin, source, agency):
    response = login(admin).post(f"/imports/sources/{source.id}", {**CRAFTED, "host": "h", "port": "22"})
    assert response.status_code == 422 and [s.host for s in sources_of(agency)] == ["sftp.example.test"]


# --- non-ASCII digits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["５", "١٠", "1٠.00", "５.00"])
def test_payment_amounts_with_non_ascii_digits_are_refused(login, collector, assigned_account, amount):
    data = {"amount": amount, "method": "check", "idempotency_key": key()}
    response = login(collector).post(f"/payments/accounts/{assigned_account.id}/manual", data)
    assert response.status_code == 422 and "positive amount" in response.get_data(as_text=True)
    assert payments(assigned_account) == []


@pytest.mark.parametrize("field, value", [("commission_rate", "５"), ("max_open_accounts", "١٠")])
def test_collector_numbers_with_non_ascii_digits_are_refused(login, admin, field, value):
    data = {"username": "digits", "full_name": "D", "email": "d@example.test", "commission_rate": "10"}
    response = login(admin).post("/settings/collectors/new", {**data, "max_open_accounts": "5", field: value})
    assert response.status_code == 422
    assert f.db.session.scalar(select(User).where(User.username == "digits")) is None


@pytest.mark.parametrize("query", ["balance_min=５", "balance_max=١٠", "balance_min=1e999999"])
def test_worklist_number_filters_refuse_non_ascii_digits_and_huge_values(login, admin, query):
    response = login(admin).get(f"/accounts/?{query}")
    assert response.status_code == 422


def test_the_worklist_number_filter_still_reads_plain_digits(login, admin, account):
    body = login(admin).get("/accounts/?balance_min=5.00").get_data(as_text=True)
    assert account.external_ref in body


def test_a_source_port_with_non_ascii_digits_is_refused(login, admin, source):
    data = {**CRAFTED, "host": "h", "username": "u", "port": "２２", "poll_interval_minutes": "15"}
    response = login(admin).post(f"/imports/sources/{source.id}", data)
    assert response.status_code == 422 and "digits 0-9" in response.get_data(as_text=True)
    f.db.session.expire_all()
    assert f.db.session.get(ImportSource, source.id).host == "sftp.example.test"


def test_the_card_request_api_refuses_non_ascii_digits(login, collector, assigned_account, client):
    web = login(collector)
    body = {"account_id": assigned_account.id, "amount": "５", "idempotency_key": key()}
    response = client.post("/api/v1/payments/card-requests", json=body, headers={"X-CSRFToken": web.csrf()})
    assert response.status_code == 422 and payments(assigned_account) == []


# --- CSV exports ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20)] + ["=", "+", "-", "@"])
def test_a_cell_starting_with_a_control_or_formula_character_is_quoted(char):
    assert neutralise(char + "1+1") == "'" + char + "1+1"


def test_plain_cells_are_left_alone():
    assert [neutralise(v) for v in ("Ann", "12.50", None, "a\tb")] == ["Ann", "12.50", "", "a\tb"]


# --- card numbers and SSNs in notes and references --------------------------------------------------------


@pytest.mark.parametrize("text", ["card 4111 1111 1111 1111 exp 12/29", "4111-1111-1111-1111", "ssn 123-45-6789"])
def test_a_note_holding_a_card_number_or_ssn_is_refused(login, collector, assigned_account, text):
    before = count(Activity)
    response = login(collector).post(f"/accounts/{assigned_account.id}/notes", {"body": text})
    assert (
        response.status_code == 422
        and "must not be stored" in response.get_data(as_text=True)
        or (response.status_code == 422 and "Social Security" in response.get_data(as_text=True))
    )
    assert count(Activity) == before


def test_a_status_note_holding_a_card_number_is_refused(collector, assigned_account):
    from app.accounts import services
    from app.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="card number"):
        services.change_status(assigned_account.id, "in_contact", "paid with 4111111111111111", actor=collector)


def test_a_payment_reference_holding_a_card_number_is_refused(login, collector, assigned_account):
    data = {"amount": "10.00", "method": "check", "reference": "5500 0000 0000 0004", "idempotency_key": key()}
    response = login(collector).post(f"/payments/accounts/{assigned_account.id}/manual", data)
    assert response.status_code == 422 and "card number" in response.get_data(as_text=True)
    assert payments(assigned_account) == []


def test_ordinary_notes_and_references_pass(login, collector, assigned_account):
    web = login(collector)
    assert web.post(f"/accounts/{assigned_account.id}/notes", {"body": "Call 555-123-4567 re chk 1042"}).status_code
    data = {"amount": "10.00", "method": "check", "reference": "chk 123456789", "idempotency_key": key()}
    assert web.post(f"/payments/accounts/{assigned_account.id}/manual", data).status_code == 303
    of_account = (Activity.kind == ActivityKind.NOTE, Activity.account_id == assigned_account.id)
    notes = f.db.session.scalars(select(Activity).where(*of_account)).all()
    assert [n.body for n in notes] == ["Call 555-123-4567 re chk 1042"]


# --- the same idempotency key for another payment ---------------------------------------------------------


@pytest.mark.parametrize("change", [{"amount": "20.00"}, {"method": "cash"}])
def test_one_key_for_a_different_amount_or_method_is_422(login, collector, assigned_account, change):
    web, url = login(collector), f"/payments/accounts/{assigned_account.id}/manual"
    data = {"amount": "10.00", "method": "check", "idempotency_key": key()}
    assert web.post(url, data).status_code == 303
    response = web.post(url, {**data, **change})
    assert response.status_code == 422 and "already used" in response.get_data(as_text=True)
    assert [p.amount for p in payments(assigned_account)] == [Decimal("10.00")]
    assert web.post(url, data).status_code == 303  # the same request again is still answered with the first
