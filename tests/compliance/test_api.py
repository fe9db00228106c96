"""The consumer-request API: record (with a base64 document), list, close; scoped like the account."""

import base64

from app.accounts.states import Status
from app.extensions import db
from tests.compliance.conftest import today

LETTER = {"filename": "letter.pdf", "content_type": "application/pdf",
          "content_base64": base64.b64encode(b"%PDF-1.4 I dispute it").decode()}  # fmt: skip


def test_a_dispute_recorded_through_the_api_holds_and_its_verification_releases(api_as, collector, working):
    api = api_as(collector)
    body = {"kind": "dispute", "channel": "email", "received_on": today(working).isoformat(), "document": LETTER}
    created = api.post(f"/accounts/{working.id}/requests/", json=body | {"disputed_amount": "99.50"})
    assert created.status_code == 201, created.json
    req = created.json
    assert (req["kind"], req["written"], req["hold"], req["disputed_amount"]) == ("dispute", True, True, "99.50")
    assert (
        req["sla"] == "open"
        and req["verification_due"]
        and req["document_url"].endswith("/documents/" + req["document_url"].rsplit("/", 1)[1])
    )
    db.session.refresh(working)
    assert working.status == Status.DISPUTED
    assert [r["id"] for r in api.get(f"/accounts/{working.id}/requests/").json] == [req["id"]]
    url = f"/accounts/{working.id}/requests/{req['id']}/resolve/"
    assert api.post(url, json={"sent_on": today(working).isoformat()}).status_code == 422  # no copy attached
    closed = api.post(url, json={"sent_on": today(working).isoformat(), "document": LETTER})
    assert closed.status_code == 200 and closed.json["resolved_at"] and closed.json["sla"] == "done"
    assert api.post(url, json={"sent_on": today(working).isoformat(), "document": LETTER}).status_code == 409
    db.session.refresh(working)
    assert working.status == Status.IN_CONTACT


def test_an_attorney_needs_a_name_and_bad_input_is_a_422(api_as, collector, working):
    api = api_as(collector)
    url = f"/accounts/{working.id}/requests/"
    base = {"kind": "attorney", "channel": "letter", "received_on": today(working).isoformat()}
    missing = api.post(url, json=base | {"details": {"firm": "Counsel LLP"}})
    assert missing.status_code == 422 and "attorney_name" in missing.json["errors"]
    for bad in (
        {"document": LETTER | {"content_base64": "not base64!"}},
        {"received_on": "3000-01-01"},
        {"kind": "complaint"},
        {"details": {"attorney_name": "x" * 201}},
    ):
        assert api.post(url, json=base | bad).status_code == 422
    made = api.post(url, json=base | {"details": {"attorney_name": "Jane Counsel", "phone": "+1 617 555 0100"}})
    assert made.status_code == 201 and made.json["details"] == {
        "attorney_name": "Jane Counsel",
        "phone": "+1 617 555 0100",
    }
    assert made.json["hold"] is False and made.json["verification_due"] is None


def test_requests_are_isolated_like_their_account(api_as, collector, other_collector, working, foreign):
    body = {"kind": "cease", "channel": "letter", "received_on": today(working).isoformat()}
    req = api_as(collector).post(f"/accounts/{working.id}/requests/", json=body).json
    for outsider in (other_collector, foreign.admin):
        api = api_as(outsider)
        assert api.get(f"/accounts/{working.id}/requests/").status_code == 404
        assert api.post(f"/accounts/{working.id}/requests/", json=body).status_code == 404
        resolve = api.post(f"/accounts/{working.id}/requests/{req['id']}/resolve/", json={"note": "ended"})
        assert resolve.status_code == 404
    other = api_as(foreign.admin).post(
        f"/accounts/{foreign.account.id}/requests/{req['id']}/resolve/", json={"note": "x"}
    )
    assert other.status_code == 404
