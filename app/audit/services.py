"""Writing the audit trail. Called by every state-changing service, inside its transaction."""

import hashlib
import hmac
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import current_app
from sqlalchemy import select

from app import pg
from app.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from app.auth import events as auth_events
from app.auth.models import User
from app.extensions import db
from app.requestmeta import current_meta
from app.timeutil import utcnow


def json_safe(value):
    """Turn a model value into something JSON keeps exactly (money and dates as strings)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def diff(before: dict, after: dict) -> dict:
    """Field-level changes between two snapshots: ``{field: {"old": ..., "new": ...}}``."""
    changes = {}
    for field in after:
        old, new = json_safe(before.get(field)), json_safe(after[field])
        if old != new:
            changes[field] = {"old": old, "new": new}
    return changes


def event_hash(event: AuditEvent, *, keyed: bool = True) -> str:
    """HMAC-SHA256 under the audit key over the event's content and the previous event's hash (``keyed=False``:
    the plain SHA-256 of events written before the chain was keyed)."""
    canonical = _canonical(event)
    if not keyed:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(audit_key(), canonical, hashlib.sha256).hexdigest()


def audit_key() -> bytes:
    """The chain's key: from the environment (``DEBTFLOW_AUDIT_KEY``), never stored in the database."""
    return current_app.config["AUDIT_KEY"].encode()


def legacy_mark(agency_id: int, legacy_until: int) -> str:
    """The MAC of an agency's legacy boundary (see AuditLegacyBoundary)."""
    message = f"legacy-until:{agency_id}:{legacy_until}".encode()
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "prev": event.prev_hash,
        "agency_id": event.agency_id,
        "actor_id": event.actor_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "changes": event.changes,
        "ip": event.ip,
        "request_id": event.request_id,
        "created_at": event.created_at.isoformat(),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def lock_chain_head(agency_id: int) -> AuditChainHead:
    """Lock (creating if needed) the agency's chain head so appends are serialised per agency."""
    db.session.execute(
        pg.insert(AuditChainHead).values(agency_id=agency_id, last_hash=GENESIS_HASH).on_conflict_do_nothing()
    )
    stmt = select(AuditChainHead).where(AuditChainHead.agency_id == agency_id).with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def record(
    actor: User | None,
    agency_id: int,
    action: str,
    entity_type: str,
    entity_id: object,
    changes: dict | None = None,
) -> AuditEvent:
    """Append an event to the agency's chain in the caller's transaction (the caller commits)."""
    ip, request_id = current_meta()
    head = lock_chain_head(agency_id)
    event = AuditEvent(
        agency_id=agency_id,
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        changes=changes or {},
        ip=ip,
        request_id=request_id,
        created_at=utcnow(),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    db.session.add(event)
    db.session.flush()
    head.last_hash, head.last_event_id = event.hash, event.id
    return event


def record_auth_events() -> None:
    """Record what ``auth`` announces (sign-ins, sign-outs, password changes); the app factory calls this once."""
    auth_events.user_event.connect(_record_auth_event)


def _record_auth_event(user: User, *, action: str, actor: User | None, changes: dict | None = None) -> None:
    record(actor, user.agency_id, action, "user", user.id, changes)


def record_export(actor: User, listing: str, filters: dict, rows: int, complete: bool) -> None:
    """Record who exported which list, with which filters and how many rows, in a transaction of its own.

    Written when the stream ends (``complete`` False when the client left or the read failed midway), so the
    count is the rows really sent. The export's read transaction is ended first: committed when it read to the
    end (it wrote nothing), rolled back otherwise, as a failed read leaves it unusable."""
    db.session.commit() if complete else db.session.rollback()
    changes = {"filters": {k: json_safe(v) for k, v in filters.items() if v not in (None, "")}, "rows": rows}
    record(actor, actor.agency_id, f"{listing}.exported", "export", listing, changes | {"complete": complete})
    db.session.commit()
