"""The account page's compliance panel and forms, and the compliance settings page."""

from datetime import timedelta

import pytest

from app.audit.models import AuditEvent
from app.compliance.models import ContactAttempt, ContactPoint, InconvenientTime, RequestKind, StateRule
from app.extensions import db
from app.timeutil import utcnow
from tests.compliance.guard.conftest import open_request


def actions(agency_id: int) -> list[str]:
    stmt = db.select(AuditEvent.action).where(AuditEvent.agency_id == agency_id).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def attempts_of(account) -> list:
    return list(db.session.scalars(db.select(ContactAttempt).where(ContactAttempt.account_id == account.id)))


def test_the_panel_says_per_channel_whether_contact_is_allowed_and_lists_the_imported_phone(login, collector, west):
    page = login(collector).get(f"/accounts/{west.id}").get_data(as_text=True)
    assert 'id="compliance-panel"' in page and "Can send a letter now: yes" in page
    assert "+14155550100" in page and "Import" in page  # the imported phone, listed unsaved


def test_a_blocked_call_is_refused_on_the_form_with_why_and_when(login, collector, west):
    open_request(west, RequestKind.CEASE)
    db.session.commit()
    web = login(collector)
    page = web.get(f"/accounts/{west.id}").get_data(as_text=True)
    assert "Can call now: no" in page and "waiting will not change this" in page
    data = {"channel": "call", "direction": "outbound", "outcome": "no_answer", "target": "+14155550100"}
    response = web.post(f"/accounts/{west.id}/contacts", data, htmx=True, target="account-main")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Not allowed: The consumer asked to stop communication" in body
    assert attempts_of(west) == [] and "contact.blocked" in actions(west.agency_id)


def test_a_logged_call_lands_on_the_account_and_save_and_next_moves_on(
    login, collector, west, other_account, afternoon_in_san_francisco
):
    web = login(collector)
    data = {"channel": "call", "direction": "outbound", "outcome": "voicemail", "note": "left a message"}
    response = web.post(f"/accounts/{west.id}/contacts", data)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/accounts/{west.id}")
    assert [a.outcome for a in attempts_of(west)] == ["voicemail"]
    response = web.post(f"/accounts/{west.id}/contacts", data | {"then": "next"})
    assert response.status_code == 303 and f"/accounts/{other_account.id}" in response.headers["Location"]


def test_an_account_that_cannot_be_called_is_skipped_by_next(login, collector, west, other_account, agency, admin):
    from tests import factories as f

    third = f.walk_to(f.AccountFactory(agency=agency), f.Status.ASSIGNED, admin=admin, collector=collector)
    other_account.contact_blocked_until = utcnow() + timedelta(days=2)
    db.session.commit()
    ids = sorted([west.id, other_account.id, third.id])
    web = login(collector)
    location = web.get(f"/accounts/{ids[0]}/next?list=sort%3Dcreated%26dir%3Dasc").headers["Location"]
    expected = ids[1] if ids[1] != other_account.id else ids[2]
    assert f"/accounts/{expected}?" in location


def test_a_phone_marked_do_not_use_and_the_preferences_are_saved_and_audited(login, collector, west):
    web = login(collector)
    data = {"channel": "phone", "value": "415 555 0100", "kind": "cell", "do_not_use": "y",
            "do_not_use_reason": "wrong number"}  # fmt: skip
    assert web.post(f"/accounts/{west.id}/contact-points", data).status_code == 303
    point = db.session.scalars(db.select(ContactPoint).where(ContactPoint.debtor_id == west.debtor_id)).one()
    assert (point.value, point.source, point.do_not_use_reason) == ("+14155550100", "import", "wrong number")
    prefs = {"spans": "Mon 12:00-13:30\ntue 18:00-19:00", "no_calls_at_work": "y"}
    assert web.post(f"/accounts/{west.id}/contact-preferences", prefs).status_code == 303
    spans = db.select(db.func.count(InconvenientTime.id)).where(InconvenientTime.debtor_id == west.debtor_id)
    assert db.session.scalar(spans) == 2 and west.debtor.no_calls_at_work
    assert {"contact_point.added", "debtor.preferences_changed"} <= set(actions(west.agency_id))
    bad = web.post(f"/accounts/{west.id}/contact-preferences", {"spans": "lunchtime"})
    assert bad.status_code == 422 and "e.g. Mon 12:00-13:30" in bad.get_data(as_text=True)


def test_the_panel_of_another_collectors_account_is_not_found(login, other_collector, west):
    web = login(other_collector)
    assert web.post(f"/accounts/{west.id}/contacts", {"channel": "call"}).status_code == 404
    assert web.post(f"/accounts/{west.id}/contact-points", {"channel": "phone", "value": "1"}).status_code == 404


def test_an_admin_adds_and_deactivates_a_state_rule_and_tightens_the_agencys_limit(login, admin):
    web = login(admin)
    assert "Compliance" in web.get("/settings/compliance").get_data(as_text=True)
    data = {"state": "New York", "channels": ["call"], "max_count": "3", "window_days": "7", "citation": "x",
            "active": "y"}  # fmt: skip
    assert web.post("/settings/compliance/rules", data).status_code == 303
    rule = db.session.scalars(
        db.select(StateRule).where(StateRule.state == "NY", StateRule.agency_id == admin.agency_id)
    ).one()
    assert web.post(f"/settings/compliance/rules/{rule.id}", data | {"active": ""}).status_code == 303
    assert rule.active is False
    assert web.post("/settings/compliance/limits", {"call_attempts_max": "5", "call_attempts_window_days": "7"}
                    ).status_code == 303  # fmt: skip
    looser = web.post("/settings/compliance/limits", {"call_attempts_max": "9", "call_attempts_window_days": "7"})
    assert looser.status_code == 422
    assert {"state_rule.added", "state_rule.changed", "compliance.limits_changed"} <= set(actions(admin.agency_id))


@pytest.mark.parametrize("url", ["/settings/compliance"])
def test_collectors_cannot_open_the_compliance_settings(login, collector, url):
    assert login(collector).get(url).status_code == 403
