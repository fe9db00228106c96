"""Settings → Webhooks: admins add, edit, disable endpoints, see deliveries and resend; scoped and audited."""

import re

from sqlalchemy import select

from app.accounts import services as accounts
from app.audit.models import AuditEvent
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import db

EVENTS = ["account.status_changed", "payment.completed"]


def same_page(one, other) -> bool:
    """The same page but for the per-response CSP nonce and the CSRF token (signed with the second it was made)."""
    varying = re.compile(r'(nonce="|csrf-token" content="|"X-CSRFToken": "|name="csrf_token" value=")[^"]+')
    return varying.sub(r"\1", one.get_data(as_text=True)) == varying.sub(r"\1", other.get_data(as_text=True))


def audit_actions(agency) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.agency_id == agency.id).order_by(AuditEvent.id)
    return [a for a in db.session.scalars(stmt) if a.startswith("webhook.")]


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(login, admin, agency, receiver):
    web = login(admin)
    response = web.post("/settings/webhooks/new", {"url": receiver.url, "events": EVENTS, "active": "y"})
    assert response.status_code == 200
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    shown = re.search(r'id="webhook-secret">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert shown == endpoint.secret and shown.startswith("whsec_")
    assert (endpoint.events, endpoint.active, endpoint.include_personal_data) == (EVENTS, True, False)
    assert shown not in web.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert endpoint.secret_encrypted and shown not in endpoint.secret_encrypted
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.created")).one()
    assert shown not in str(event.changes)


def test_bad_input_is_shown_again_with_a_422(login, admin):
    web = login(admin)
    response = web.post("/settings/webhooks/new", {"url": "ftp://example.com/", "events": EVENTS})
    assert response.status_code == 422 and "https://" in response.get_data(as_text=True)
    response = web.post("/settings/webhooks/new", {"url": "https://example.com/", "events": ["nope"]})
    assert response.status_code == 422
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_edit_disable_and_rotate_are_audited(login, admin, agency, subscribe):
    created = subscribe()
    web = login(admin)
    url = f"/settings/webhooks/{created.endpoint.id}"
    response = web.post(url, {"url": created.endpoint.url, "events": ["import.completed"], "description": "BI"})
    assert response.status_code == 303
    db.session.refresh(created.endpoint)
    assert (created.endpoint.active, created.endpoint.events) == (False, ["import.completed"])
    response = web.post(url + "/rotate-secret")
    db.session.refresh(created.endpoint)
    assert created.endpoint.secret != created.secret
    assert created.endpoint.secret in response.get_data(as_text=True)
    assert audit_actions(agency) == ["webhook.created", "webhook.updated", "webhook.secret_rotated"]


def test_deliveries_are_listed_and_resent(login, admin, agency, assigned_account, subscribe, receiver, run_worker):
    endpoint = subscribe(events=["account.status_changed"]).endpoint
    receiver.answers = [500]
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    web = login(admin)
    page = web.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "account.status_changed" in page and "pending" in page and ">500<" in page
    first = db.session.scalars(select(WebhookDelivery).filter_by(endpoint_id=endpoint.id)).one()
    response = web.post(f"/settings/webhooks/deliveries/{first.id}/resend")
    assert response.status_code == 303
    run_worker()
    copies = db.session.scalars(
        select(WebhookDelivery).filter_by(endpoint_id=endpoint.id).where(WebhookDelivery.id != first.id)
    ).all()
    assert [(c.event_id, c.status.value, c.last_response_code) for c in copies] == [(first.event_id, "delivered", 200)]
    assert "webhook.resent" in audit_actions(agency)


def test_a_collector_is_refused(login, collector, subscribe):
    endpoint = subscribe().endpoint
    web = login(collector)
    assert web.get("/settings/webhooks/").status_code == 403
    assert web.get(f"/settings/webhooks/{endpoint.id}").status_code == 403
    assert web.post(f"/settings/webhooks/{endpoint.id}/rotate-secret").status_code == 403


def test_another_agencys_endpoint_and_delivery_are_404(login, admin, foreign, subscribe, assigned_account, run_worker):
    endpoint = subscribe(events=["account.status_changed"]).endpoint
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    delivery = db.session.scalars(select(WebhookDelivery).filter_by(endpoint_id=endpoint.id)).one()
    web = login(foreign.admin)
    missing = web.get("/settings/webhooks/987654")
    for response in (
        web.get(f"/settings/webhooks/{endpoint.id}"),
        web.post(f"/settings/webhooks/{endpoint.id}", {"url": "https://example.com/", "events": EVENTS}),
        web.post(f"/settings/webhooks/{endpoint.id}/rotate-secret"),
    ):
        assert response.status_code == 404 and same_page(response, missing)
    missing = web.post("/settings/webhooks/deliveries/987654/resend")
    response = web.post(f"/settings/webhooks/deliveries/{delivery.id}/resend")
    assert response.status_code == 404 and same_page(response, missing)
    assert endpoint.url not in web.get("/settings/webhooks/").get_data(as_text=True)
