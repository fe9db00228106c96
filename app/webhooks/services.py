"""Webhook endpoint use cases (agency admins only): add, edit, disable, rotate the secret, resend a delivery.

Each is one transaction, audited inside it. The secret is shown once, when it is made (on creation or rotation),
and never again: it is stored encrypted and no page reads it back.
"""

import ipaddress
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from app import netguard
from app.audit import services as audit
from app.auth.models import User
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow
from app.webhooks import events
from app.webhooks.models import EVENTS, WebhookDelivery, WebhookEndpoint

MAX_URL = 500
AUDITED = ("url", "description", "events", "include_personal_data", "active")


@dataclass
class WithSecret:
    endpoint: WebhookEndpoint
    secret: str  # shown on this one response


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can manage webhooks.")


def get_endpoint(actor: User, endpoint_id: int) -> WebhookEndpoint:
    """The actor's agency's endpoint; NotFound for a foreign or missing one alike."""
    _require_admin(actor)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.agency_id != actor.agency_id:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def list_endpoints(actor: User) -> list[WebhookEndpoint]:
    _require_admin(actor)
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.agency_id == actor.agency_id).order_by(WebhookEndpoint.id)
    return list(db.session.scalars(stmt))


def list_deliveries(actor: User, endpoint_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    endpoint = get_endpoint(actor, endpoint_id)
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def create_endpoint(values: dict, *, actor: User) -> WithSecret:
    """Add an endpoint with a generated secret. ValidationFailed for a bad URL, a refused target or no events."""
    _require_admin(actor)
    clean = _clean(values)
    secret = new_secret()
    endpoint = WebhookEndpoint(agency_id=actor.agency_id, **clean)
    endpoint.secret = secret
    db.session.add(endpoint)
    db.session.flush()
    audit.record(actor, actor.agency_id, "webhook.created", "webhook_endpoint", endpoint.id, audit.diff({}, clean))
    db.session.commit()
    return WithSecret(endpoint, secret)


def update_endpoint(endpoint_id: int, values: dict, *, actor: User) -> WebhookEndpoint:
    """Change URL, description, events, the personal-data flag or active (disable / enable); audited by field."""
    endpoint = get_endpoint(actor, endpoint_id)
    clean = _clean(values)
    before = {k: getattr(endpoint, k) for k in AUDITED}
    for key, value in clean.items():
        setattr(endpoint, key, value)
    changes = audit.diff(before, clean)
    if changes:
        audit.record(actor, actor.agency_id, "webhook.updated", "webhook_endpoint", endpoint.id, changes)
    db.session.commit()
    return endpoint


def rotate_secret(endpoint_id: int, *, actor: User) -> WithSecret:
    """A new secret, effective for the next attempt; the old one stops working at once."""
    endpoint = get_endpoint(actor, endpoint_id)
    secret = new_secret()
    endpoint.secret = secret
    audit.record(actor, actor.agency_id, "webhook.secret_rotated", "webhook_endpoint", endpoint.id)
    db.session.commit()
    return WithSecret(endpoint, secret)


def resend(delivery_id: int, *, actor: User) -> WebhookDelivery:
    """Send a delivery's event again to its endpoint: a new delivery with the same event id and payload (so a
    receiver that did get it can tell), attempts from zero, queued after the commit."""
    _require_admin(actor)
    original = db.session.get(WebhookDelivery, delivery_id)
    if original is None or original.agency_id != actor.agency_id:
        raise NotFound("No such webhook delivery.")
    endpoint = get_endpoint(actor, original.endpoint_id)
    copy = events.new_delivery(endpoint, original.event_id, original.event_type, original.payload, utcnow())
    changes = {"resent_from": {"old": None, "new": original.id}, "event_id": {"old": None, "new": original.event_id}}
    audit.record(actor, actor.agency_id, "webhook.resent", "webhook_delivery", copy.id, changes)
    db.session.commit()
    return copy


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _clean(values: dict) -> dict:
    url = (values.get("url") or "").strip()
    check_url(url)
    chosen = [e for e in EVENTS if e in (values.get("events") or [])]
    if not chosen:
        raise ValidationFailed("Choose at least one event.", {"events": "Choose at least one event."})
    return {
        "url": url,
        "description": (values.get("description") or "").strip()[:200],
        "events": chosen,
        "include_personal_data": bool(values.get("include_personal_data")),
        "active": bool(values.get("active", True)),
    }


def check_url(url: str) -> None:
    """HTTPS to a permitted address; plain HTTP only to a network the operator allow-listed (tests, a private
    receiver), where no certificate could be had anyway. ValidationFailed otherwise."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = None
    if len(url) > MAX_URL or parts.scheme not in ("https", "http") or not parts.hostname or port is None:
        _bad_url("Enter an https:// URL of at most 500 characters.")
    if parts.username or parts.password:
        _bad_url("Put no user name or password in the URL; deliveries are signed with the endpoint's secret.")
    refused = netguard.refused_host(parts.hostname, port)
    if refused:
        _bad_url(refused)
    if parts.scheme == "http" and not _allow_listed(parts.hostname, port):
        _bad_url("Use https://; plain http is only for networks the operator allow-listed.")


def _allow_listed(host: str, port: int) -> bool:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    allowed = netguard.allowed_networks()
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    return bool(addresses) and all(any(a in n for n in allowed) for a in addresses)


def _bad_url(message: str) -> None:
    raise ValidationFailed(message, {"url": message})
