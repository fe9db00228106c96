"""Tenant isolation: every operation on a record, by a collector of the same agency who does not hold it and by
an admin of another agency. A record that isn't theirs answers exactly as a missing one (404); an operation their
role may not do answers 403 whatever the record."""

import io

import pytest

from app.imports.services import receive
from tests.payments.helpers import pay

# (method, path, body, status for another collector of the agency, status for another agency's admin)
OPERATIONS = [
    ("get", "/accounts/{account}/", None, 404, 404),
    ("get", "/accounts/{account}/timeline/", None, 404, 404),
    ("post", "/accounts/{account}/transition/", {"new_status": "in_contact"}, 404, 404),
    ("post", "/accounts/{account}/assign/", {"collector_id": "{collector}"}, 403, 404),
    ("post", "/accounts/{account}/add_note/", {"text": "hello"}, 404, 404),
    ("post", "/accounts/{account}/add-note/", {"text": "hello"}, 404, 404),
    ("get", "/payments/{payment}/", None, 404, 404),
    ("post", "/payments/", {"account": "{account}", "amount": "5.00", "payment_method": "cash"}, 404, 404),
    ("post", "/payments/{payment}/refund/", {}, 404, 404),  # not theirs first: the role matters on their own
    ("get", "/imports/{job}/", None, 403, 404),
    ("get", "/imports/{job}/errors/", None, 403, 404),
    ("get", "/collectors/{collector}/", None, 403, 404),
]


@pytest.fixture
def records(admin, collector, assigned_account):
    payment = pay(assigned_account, "10.00", collector)
    job = receive.receive_upload(admin.agency_id, io.BytesIO(b"external_ref\n"), "x.csv", actor=admin)
    return {"account": assigned_account.id, "payment": payment.id, "job": job.id, "collector": collector.id}


def fill(value, records):
    if isinstance(value, str):
        text = value.format(**records)
        return int(text) if value.startswith("{") and text.isdigit() else text
    if isinstance(value, dict):
        return {k: fill(v, records) for k, v in value.items()}
    return value


@pytest.mark.parametrize("method,path,body,same_agency,other_agency", OPERATIONS)
def test_nobody_else_reaches_a_record(
    api_as, records, other_collector, foreign, method, path, body, same_agency, other_agency
):
    missing = {name: 999999 for name in records}
    for user, expected in ((other_collector, same_agency), (foreign.admin, other_agency)):
        api = api_as(user)
        response = call(api, method, fill(path, records), fill(body, records))
        assert response.status_code == expected, (user.username, response.get_data(as_text=True))
        if expected == 404:
            assert call(api, method, fill(path, missing), fill(body, missing)).json == response.json


def call(api, method: str, url: str, payload):
    return api.get(url) if method == "get" else api.post(url, json=payload)


def test_lists_show_nothing_of_another_agency(api_as, records, foreign):
    api = api_as(foreign.admin)
    assert records["account"] not in [r["id"] for r in api.get("/accounts/").json["results"]]
    assert api.get(f"/payments/?account={records['account']}").json["results"] == []
    assert records["job"] not in [j["id"] for j in api.get("/imports/").json["results"]]
    assert records["collector"] not in [c["id"] for c in api.get("/collectors/").json["results"]]
    assert api.get(f"/accounts/?collector={records['collector']}").json["results"] == []


def test_a_collector_lists_no_payment_of_anothers_account(api_as, records, other_collector):
    api = api_as(other_collector)
    assert api.get("/payments/").json["results"] == []
    assert api.get(f"/payments/?account={records['account']}").json["results"] == []
