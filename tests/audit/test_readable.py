"""The audit log as people read it: names, account references, note text; the account reference filter; its
order, total and CSV export."""

from sqlalchemy import select

from app.accounts import services as account_services
from app.accounts.states import Status
from app.audit.models import AuditEvent
from tests import factories as f
from tests.exports import csv_rows
from tests.factories import db
from tests.payments.helpers import pay


def _worked(agency, admin, collector):
    account = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector)
    account_services.add_note(account.id, "Promised to call back Thursday", actor=collector)
    payment = pay(account, "40", admin)
    db.session.commit()
    return account, payment


def test_events_show_names_references_and_the_note_text(login, admin, collector, agency):
    account, payment = _worked(agency, admin, collector)
    body = login(admin).get("/audit/").get_data(as_text=True)
    assert f'<a href="/accounts/{account.id}">account {account.external_ref}</a>' in body
    assert "Promised to call back Thursday" in body
    assert f"<b>collector</b>: ∅ → {collector.full_name}" in body
    assert f"payment #{payment.id} on {account.external_ref}" in body
    assert "account · note added" in body


def test_filter_by_account_reference_shows_that_account_and_its_payments(login, admin, collector, agency):
    account, payment = _worked(agency, admin, collector)
    other, _ = _worked(agency, admin, collector)
    body = login(admin).get(f"/audit/?account_ref={account.external_ref}").get_data(as_text=True)
    assert f"account {account.external_ref}" in body and f"payment #{payment.id}" in body
    assert other.external_ref not in body


def test_an_unknown_reference_matches_no_event(login, admin, collector, agency):
    _worked(agency, admin, collector)
    body = login(admin).get("/audit/?account_ref=NOPE-1").get_data(as_text=True)
    assert "No events match these filters." in body and "of 0 events" not in body


def test_a_foreign_agencys_reference_matches_nothing(login, admin, foreign):
    body = login(admin).get(f"/audit/?account_ref={foreign.account.external_ref}").get_data(as_text=True)
    assert "No events match these filters." in body


def test_oldest_first_order_total_and_export(login, admin, collector, agency):
    account, _ = _worked(agency, admin, collector)
    web = login(admin)
    url = f"/audit/?account_ref={account.external_ref}"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.agency_id == agency.id)).all()
    body = web.get(url + "&dir=asc").get_data(as_text=True)
    assert "account · assigned" in body
    assert body.index("account · assigned") < body.index("account · note added")
    assert "1–" in body and " events" in body
    rows = csv_rows(web.get(f"/audit/export.csv?account_ref={account.external_ref}&dir=asc"))
    assert rows[0]["Action"] == "account · assigned" and rows[0]["Actor"] == admin.full_name
    assert any("note text: Promised to call back Thursday" in r["Changes"] for r in rows)
    assert len(rows) < len(events)


def test_audit_export_neutralises_formulas_and_is_audited(login, admin, agency):
    sly = f.CollectorFactory(agency=agency, full_name='=HYPERLINK("http://evil.test")')
    account = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=sly)
    account_services.add_note(account.id, "called", actor=sly)
    db.session.commit()
    rows = csv_rows(login(admin).get("/audit/export.csv"))
    assert any(r["Actor"] == "'" + sly.full_name for r in rows)
    assert not any(r["Actor"].startswith("=") for r in rows)
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.exported")).one()
    assert exported.changes["complete"] is True and exported.changes["rows"] == len(rows)


def test_collectors_cannot_read_or_export_the_log(login, collector):
    web = login(collector)
    assert web.get("/audit/").status_code == 403 and web.get("/audit/export.csv").status_code == 403
