"""``/api/v1/accounts/{id}/validation-notices/``: 201 with the end of the validation period and the PDF's URL,
422 without an itemization or with bad input, the list, the PDF by bearer token, 404 for anyone else's."""

import hashlib

import pytest

from app.compliance.models import ValidationNotice
from app.extensions import db
from tests.compliance.notices_support import dress, freeze_today, itemize

BODY = {"sent_on": "2026-12-08", "channel": "mail", "language": "en"}


@pytest.fixture
def ready(clock, assigned_account):
    freeze_today()
    dress(assigned_account)
    itemize(assigned_account)
    return assigned_account


def test_a_notice_is_created_listed_and_downloaded(app_role, api_as, collector, ready):
    api = api_as(collector)
    created = api.post(f"/accounts/{ready.id}/validation-notices/", json=BODY)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["sent_on"], body["validation_period_ends"]) == ("2026-12-08", "2027-01-14")
    assert body["pdf_url"] == f"/api/v1/accounts/{ready.id}/validation-notices/{body['id']}/pdf/"
    listed = api.get(f"/accounts/{ready.id}/validation-notices")  # without the trailing slash too
    assert listed.status_code == 200 and [n["id"] for n in listed.json] == [body["id"]]
    pdf = api.client.get(body["pdf_url"], headers=api.headers())
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert (
        hashlib.sha256(pdf.data).hexdigest()
        == body["sha256"]
        == db.session.get(ValidationNotice, body["id"]).document.sha256
    )
    assert api.client.get(body["pdf_url"].rstrip("/"), headers=api.headers()).status_code == 200


def test_without_itemization_it_is_a_422(api_as, clock, collector, assigned_account):
    freeze_today()
    response = api_as(collector).post(f"/accounts/{assigned_account.id}/validation-notices", json=BODY)
    assert response.status_code == 422 and "Cannot send notice" in response.json["detail"]
    assert db.session.query(ValidationNotice).count() == 0


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"sent_on": "2026-13-01"}, 422),
        ({"sent_on": "9999-12-31"}, 422),
        ({"sent_on": "2027-01-05"}, 422),  # tomorrow: a notice is recorded once sent
        ({"channel": "fax"}, 422),
        ({"language": "de"}, 422),
        ({"sent_on": "2026-12-08\x00"}, 400),  # the API refuses a NUL byte anywhere in a request
    ],
)
def test_bad_input_is_refused_and_writes_nothing(api_as, collector, ready, change, status):
    response = api_as(collector).post(f"/accounts/{ready.id}/validation-notices/", json=BODY | change)
    assert response.status_code == status and response.json["detail"], response.json
    assert db.session.query(ValidationNotice).count() == 0


def test_another_agencys_or_collectors_notices_are_not_found(api_as, collector, other_collector, ready, foreign):
    notice_id = api_as(collector).post(f"/accounts/{ready.id}/validation-notices/", json=BODY).json["id"]
    for user in (other_collector, foreign.admin):
        api = api_as(user)
        assert api.post(f"/accounts/{ready.id}/validation-notices/", json=BODY).status_code == 404
        assert api.get(f"/accounts/{ready.id}/validation-notices/").status_code == 404
        assert api.get(f"/accounts/{ready.id}/validation-notices/{notice_id}/pdf/").status_code == 404
    own = api_as(foreign.admin).get(f"/accounts/{foreign.account.id}/validation-notices/{notice_id}/pdf/")
    assert own.status_code == 404
