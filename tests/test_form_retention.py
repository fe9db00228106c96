"""Every form keeps what was typed after a validation error and shows each field's error at once; secret fields
come back empty, with a note that they must be entered again."""

import html
import re

import pytest

from tests import factories as f

SECRET_NOTE = "must be entered again"
ERROR = re.compile(r'<small class="error"')


def retained(body: str, *values: str) -> list[str]:
    """The values missing from the re-rendered form (empty when all were kept)."""
    text = html.unescape(body)
    return [value for value in values if value not in text]


def test_sign_in_keeps_the_username_not_the_password(web, admin):
    response = web.post("/login", {"username": "someone.typed", "password": "Wrong-Password-1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert retained(body, 'value="someone.typed"') == []
    assert "Wrong-Password-1" not in body and SECRET_NOTE in body


def test_agency_profile_keeps_every_value_and_shows_every_error(login, admin):
    typed = {"name": "", "timezone": "Nowhere/City", "currency": "USD", "city": "Springfield", "postal_code": "62701",
             "country": "USA"}  # fmt: skip
    response = login(admin).post("/settings/", typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert retained(body, 'value="Springfield"', 'value="62701"', 'value="USA"', 'value="Nowhere/City"') == []
    assert len(ERROR.findall(body)) == 3  # name, timezone and country at once


def test_new_collector_keeps_the_fields_and_drops_the_password(login, admin):
    typed = {"username": "nia", "full_name": "", "email": "nia@example.test", "commission_rate": "10",
             "max_open_accounts": "5", "password": "Temporary-Secret-9"}  # fmt: skip
    response = login(admin).post("/settings/collectors/new", typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert retained(body, 'value="nia"', 'value="nia@example.test"', 'value="5"') == []
    assert "Temporary-Secret-9" not in body and SECRET_NOTE in body


def test_import_source_keeps_the_settings_and_drops_the_secrets(login, admin):
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
    typed = {"name": "", "kind": "sftp", "host": "sftp.creditor.example", "port": "70000", "username": "drop",
             "password": "Sftp-Secret-7", "private_key": key, "remote_dir": "/outbox", "processed_dir": "",
             "pattern": "*.csv", "poll_interval_minutes": "15"}  # fmt: skip
    response = login(admin).post("/imports/sources/new", typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert retained(body, 'value="sftp.creditor.example"', 'value="drop"', 'value="/outbox"', 'value="70000"') == []
    assert "Sftp-Secret-7" not in body and "b3BlbnNzaC1rZXktdjEAAAAA" not in body
    assert body.count(SECRET_NOTE) == 2
    assert len(ERROR.findall(body)) == 3  # name, port and processed directory at once


def test_password_change_drops_all_three_passwords(login, admin):
    typed = {"current_password": "Not-The-Current-1", "new_password": "short", "confirm": "different"}
    response = login(admin).post("/account/password", typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert not any(value in body for value in typed.values())
    assert body.count(SECRET_NOTE) == 3


@pytest.mark.parametrize(
    ("url", "query", "kept"),
    [
        (
            "/payments/",
            {"date_from": "2026-13-01", "method": "check"},
            ['value="2026-13-01"', 'selected value="check"'],
        ),
        ("/audit/", {"date_from": "yesterday", "entity_id": "ACC-1"}, ['value="yesterday"', 'value="ACC-1"']),
    ],
)
def test_list_filters_keep_what_was_typed(login, admin, url, query, kept):
    response = login(admin).get(url, query_string=query)
    assert response.status_code == 422
    assert retained(response.get_data(as_text=True), *kept) == []


def test_manual_payment_keeps_the_reference_after_a_bad_amount(login, admin, collector, agency):
    account = f.walk_to(f.AccountFactory(agency=agency), f.Status.IN_CONTACT, admin=admin, collector=collector)
    typed = {"amount": "12,50 dollars", "method": "check", "reference": "CHK-4411", "received_on": "2026-11-30"}
    response = login(admin).post(f"/payments/accounts/{account.id}/manual", typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert retained(body, 'value="CHK-4411"', 'value="12,50 dollars"', 'value="2026-11-30"') == []
