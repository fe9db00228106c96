"""Emitting events: an outbox. The services call :func:`emit` inside the transaction of the change it announces,
so a delivery row exists exactly when the change was committed; the delivery jobs are queued after the commit
(a rolled-back change queues nothing, and a job never runs before the row it reads is visible).

Queuing happens in the session's ``after_commit`` hook, where no SQL may run: only ids travel. If Redis is down
then, nothing is lost: the minute sweep (``jobs.webhooks.sweep_webhook_deliveries``) queues due rows.
"""

import logging
import uuid

from flask import has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.timeutil import utcnow
from app.webhooks.models import EVENTS, DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)
PENDING_KEY = "webhook_deliveries_to_queue"


def emit(agency_id: int, event_type: str, data: dict) -> list[WebhookDelivery]:
    """Write one delivery per active endpoint of the agency subscribed to ``event_type`` (no commit)."""
    return emit_many(agency_id, event_type, [data])


def emit_many(agency_id: int, event_type: str, datas: list[dict]) -> list[WebhookDelivery]:
    """``emit`` of one event per item of ``datas`` (a bulk change), the subscriptions read once."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown webhook event {event_type!r}")
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.agency_id == agency_id, WebhookEndpoint.active.is_(True))
    ).all()
    targets = [e for e in endpoints if event_type in (e.events or [])]
    deliveries = []
    for data in datas if targets else ():
        event_id, now = str(uuid.uuid4()), utcnow()
        payload = {"id": event_id, "type": event_type, "created": now.isoformat(), "data": data}
        deliveries += [new_delivery(endpoint, event_id, event_type, payload, now) for endpoint in targets]
    return deliveries


def new_delivery(endpoint: WebhookEndpoint, event_id: str, event_type: str, payload: dict, now) -> WebhookDelivery:
    """A pending delivery, flushed for its id and remembered for queuing once the transaction commits."""
    delivery = WebhookDelivery(
        agency_id=endpoint.agency_id,
        endpoint_id=endpoint.id,
        event_id=event_id,
        event_type=event_type,
        payload=payload,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        enqueued_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    db.session().info.setdefault(PENDING_KEY, []).append(delivery.id)
    return delivery


@event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, [])
    if ids and has_app_context():
        queue_deliveries(ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def queue_deliveries(ids: list[int]) -> None:
    """Queue a delivery job per id; a failure is logged, the sweep queues the rows later."""
    from app import queue

    for delivery_id in ids:
        try:
            queue.enqueue("jobs.webhooks.deliver_webhook", delivery_id, description=f"webhook delivery #{delivery_id}")
        except Exception:  # Redis down or a sync-mode job failing: the row stays pending for the sweep
            log.warning("webhook delivery %s not queued now; the sweep will", delivery_id, exc_info=True)
