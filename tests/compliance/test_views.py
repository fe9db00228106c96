"""The account page's requests section, its documents, the dispute-policy page, the XB flag in the accounts
export, and the API's refusal of a payment request on hold."""

import io
from datetime import timedelta

from sqlalchemy import select

from app.accounts.states import Status
from app.audit.models import AuditEvent
from app.compliance import resolution
from app.compliance.models import ConsumerRequest
from app.extensions import db
from tests import factories as f
from tests.compliance.conftest import VERIFICATION, dispute, today
from tests.exports import csv_rows


def letter(name: str = "letter.pdf", body: bytes = b"%PDF-1.4 I dispute it") -> tuple:
    return (io.BytesIO(body), name, "application/pdf")


def form_of(account, **fields) -> dict:
    base = {"kind": "dispute", "channel": "letter", "received_on": today(account).isoformat(), "document": letter()}
    return {f"request-{name}": value for name, value in (base | fields).items()}


def test_a_collector_records_a_dispute_with_its_letter_and_sees_the_hold(login, collector, working):
    web = login(collector)
    response = web.post(f"/accounts/{working.id}/requests", form_of(working, disputed_amount="120.50"))
    assert response.status_code == 303
    req = db.session.scalars(select(ConsumerRequest).where(ConsumerRequest.account_id == working.id)).one()
    assert req.hold and req.disputed_amount == 120.50 and req.document.filename == "letter.pdf"
    page = web.get(f"/accounts/{working.id}").get_data(as_text=True)
    assert "Collection on hold" in page and "Credit reporting: XB" in page and "$120.50 disputed" in page
    assert 'id="card-on-hold"' in page
    due = (req.received_on + timedelta(days=30)).isoformat()
    assert f"verification due {due}" in page and "Record the verification sent" in page
    download = web.get(f"/accounts/{working.id}/documents/{req.document.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 I dispute it"
    assert download.headers["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_bad_request_form_shows_its_errors_and_writes_nothing(login, collector, working):
    web = login(collector)
    fields = form_of(working, kind="attorney", channel="email", received_on="")
    response = web.post(f"/accounts/{working.id}/requests", fields, htmx=True, target="account-main")
    assert response.status_code == 422 and "Enter the date it was received." in response.get_data(as_text=True)
    fields = form_of(working, kind="attorney", channel="email", attorney_name="")
    response = web.post(f"/accounts/{working.id}/requests", fields, htmx=True, target="account-main")
    assert response.status_code == 422 and "Enter the attorney name." in response.get_data(as_text=True)
    assert db.session.scalar(select(ConsumerRequest.id).where(ConsumerRequest.account_id == working.id)) is None


def test_recording_the_verification_sent_releases_the_hold(login, collector, working):
    req = dispute(working, collector)
    web = login(collector)
    prefix = f"resolve-{req.id}-"
    url = f"/accounts/{working.id}/requests/{req.id}/resolve"
    missing = web.post(url, {prefix + "sent_on": req.received_on.isoformat()})
    assert missing.status_code == 422 and "Attach the copy of what was sent." in missing.get_data(as_text=True)
    fields = {prefix + "sent_on": req.received_on.isoformat(), prefix + "document": letter("verification.pdf")}
    assert web.post(url, fields).status_code == 303
    db.session.refresh(working)
    assert working.status == Status.IN_CONTACT and req.resolution_document.filename == "verification.pdf"
    page = web.get(f"/accounts/{working.id}").get_data(as_text=True)
    assert "Collection on hold" not in page and "verification.pdf" in page


def test_documents_are_scoped_like_their_account(login, admin, collector, other_collector, working, foreign, agency):
    req = dispute(working, collector)
    url = f"/accounts/{working.id}/documents/{req.document.id}"
    assert login(other_collector).get(url).status_code == 404
    assert login(foreign.admin).get(url).status_code == 404
    # the document id under an account the viewer may see, but that is not the document's
    assert login(foreign.admin).get(f"/accounts/{foreign.account.id}/documents/{req.document.id}").status_code == 404
    assert login(foreign.admin).get(f"/accounts/{working.id}/requests/{req.id}/resolve").status_code == 405
    response = login(foreign.admin).post(f"/accounts/{working.id}/requests/{req.id}/resolve", {})
    assert response.status_code == 404
    # a request of one account closed through another account's address
    other = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector)
    fields = {f"resolve-{req.id}-sent_on": req.received_on.isoformat(), f"resolve-{req.id}-document": letter()}
    assert login(collector).post(f"/accounts/{other.id}/requests/{req.id}/resolve", fields).status_code == 404
    assert req.resolved_at is None


def test_the_dispute_policy_page_saves_and_audits(login, admin, agency):
    web = login(admin)
    page = web.get("/settings/dispute-policy")
    assert page.status_code == 200 and "Dispute policy" in page.get_data(as_text=True)
    assert 'href="/settings/dispute-policy"' in web.get("/settings/").get_data(as_text=True)
    bad = web.post("/settings/dispute-policy", {"hold_late_disputes": "y", "verification_days": "0"})
    assert bad.status_code == 422 and agency.compliance_settings is None
    saved = web.post("/settings/dispute-policy", {"hold_late_disputes": "y", "verification_days": "20"})
    assert saved.status_code == 303
    db.session.refresh(agency)
    policy = {
        k: agency.compliance_settings[k] for k in ("hold_late_disputes", "hold_oral_disputes", "verification_days")
    }
    assert policy == {"hold_late_disputes": True, "hold_oral_disputes": False, "verification_days": 20}
    policy_events = select(AuditEvent).where(AuditEvent.action == "agency.dispute_policy_updated")
    event = db.session.scalars(policy_events.where(AuditEvent.agency_id == agency.id)).one()
    assert event.changes["verification_days"] == {"old": 30, "new": 20}
    assert set(event.changes) == {"verification_days", "hold_oral_disputes", "hold_duplicative_disputes"}


def test_only_admins_set_the_dispute_policy(login, collector):
    assert login(collector).get("/settings/dispute-policy").status_code == 403


def test_the_accounts_export_flags_xb_while_a_dispute_is_open(login, admin, collector, working, agency):
    clean, resolved = (
        f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector) for _ in "12"
    )
    dispute(working, collector)
    old = dispute(resolved, admin)
    resolution.resolve_request(old.id, old.received_on, VERIFICATION, actor=admin)
    rows = {r["Account"]: r["Credit reporting"] for r in csv_rows(login(admin).get("/accounts/export.csv?status=all"))}
    assert rows == {working.external_ref: "XB", clean.external_ref: "", resolved.external_ref: ""}


def test_the_api_refuses_a_card_request_on_hold_with_409(api_as, collector, working):
    dispute(working, collector)
    response = api_as(collector).post("/payments/card-request/", json={"account": working.id, "amount": 50})
    assert response.status_code == 409 and "collection hold" in response.json["detail"]
