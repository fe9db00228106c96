"""Sending one delivery: claim the row, POST the signed JSON to a checked address, record the outcome.

Signature (Stripe's scheme): ``DebtFlow-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` under
the endpoint's secret; ``DebtFlow-Event-Id`` carries the event id, the same on every attempt and every endpoint,
for the receiver's de-duplication. Any 2xx is delivered; anything else is retried with exponential backoff until
24 hours after the event, then the delivery is failed. A target refused by the outbound address rules fails at
once (resolving it again would give the same answer).
"""

import hashlib
import hmac
import http.client
import json
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update

from app import netguard
from app.debtors.models import Debtor
from app.extensions import db
from app.timeutil import utcnow
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

TIMEOUT = 10  # seconds, connect and each read
LEASE = timedelta(seconds=60)  # a claimed delivery whose job died is retried after this
RETRY_WINDOW = timedelta(hours=24)
FIRST_RETRY, MAX_RETRY = 30, 3600  # seconds: 30 s, 1 min, 2 min ... then hourly
REQUEUE_AFTER = timedelta(minutes=5)  # the sweep leaves a queued row alone this long
USER_AGENT = "DebtFlow-Webhooks/1"
DISABLED = "endpoint disabled"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return timedelta(seconds=min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY))


def deliver(delivery_id: int) -> DeliveryStatus | None:
    """Make one attempt at a due delivery; None when it is not due or another job holds it."""
    delivery = claim(delivery_id, utcnow())
    if delivery is None:
        return None
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if not endpoint.active:  # disabled since the event: its pending retries stop too
        return record(delivery_id, None, DISABLED)
    body = json.dumps(body_of(delivery, endpoint), separators=(",", ":"), default=str).encode()
    code, error = post(endpoint, delivery.event_id, body)
    return record(delivery_id, code, error)


def claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the delivery for one attempt (committed, so the POST runs outside any transaction or lock)."""
    due = or_(
        (WebhookDelivery.status == DeliveryStatus.PENDING) & (WebhookDelivery.next_attempt_at <= now),
        (WebhookDelivery.status == DeliveryStatus.SENDING) & (WebhookDelivery.lease_until < now),
    )
    stmt = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, due)
        .values(status=DeliveryStatus.SENDING, lease_until=now + LEASE, attempts=WebhookDelivery.attempts + 1)
    )
    claimed = db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    return db.session.get(WebhookDelivery, delivery_id, populate_existing=True) if claimed else None


def body_of(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> dict:
    """The stored payload, plus the debtor's contact details when the endpoint asks for personal data (read now,
    so the outbox never holds them and a flag turned off applies to retries too)."""
    payload = dict(delivery.payload)
    account_id = payload.get("data", {}).get("account_id")
    if endpoint.include_personal_data and account_id:
        debtor = _debtor_of(delivery.agency_id, account_id)
        if debtor is not None:
            personal = {"full_name": debtor.full_name, "email": debtor.email, "phone": debtor.phone}
            payload["data"] = {**payload["data"], "debtor": personal}
    return payload


def _debtor_of(agency_id: int, account_id: int) -> Debtor | None:
    """The account's debtor, through the accounts table by name: the account services import this package to
    emit events, so it may not import theirs."""
    accounts = db.metadata.tables["accounts"]
    stmt = select(accounts.c.debtor_id).where(accounts.c.id == account_id, accounts.c.agency_id == agency_id)
    debtor_id = db.session.scalar(stmt)
    return db.session.get(Debtor, debtor_id) if debtor_id else None


def post(endpoint: WebhookEndpoint, event_id: str, body: bytes) -> tuple[int | None, str]:
    """POST the body; (status code, "") on an answer, (None, reason) when none came."""
    parts = urlsplit(endpoint.url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port or kind.default_port, timeout=TIMEOUT)
    # Connect to an address the outbound rules checked, never to whatever the name resolves to next.
    connection._create_connection = lambda address, timeout, *_: netguard.connect(parts.hostname, address[1], timeout)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "DebtFlow-Event-Id": event_id,
        "DebtFlow-Signature": sign(endpoint.secret or "", int(time.time()), body),
    }
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers)
        response = connection.getresponse()
        response.read(65536)  # a little of the answer, so the connection closes cleanly; never kept
        return response.status, ""
    except netguard.AddressRefused as exc:
        return None, f"refused: {exc}"
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    finally:
        connection.close()


def record(delivery_id: int, code: int | None, error: str) -> DeliveryStatus:
    """Store an attempt's outcome: delivered, a retry at the next backoff, or failed."""
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    now = utcnow()
    delivery.last_response_code, delivery.lease_until = code, None
    delivery.last_error = error or ("" if code and 200 <= code < 300 else f"HTTP {code}")
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    elif (
        error == DISABLED
        or error.startswith("refused:")
        or now + backoff(delivery.attempts) > delivery.created_at + RETRY_WINDOW
    ):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now + backoff(delivery.attempts)
        delivery.enqueued_at = None  # the sweep queues it when it is due
    db.session.commit()
    return delivery.status


def due_ids(now: datetime, limit: int = 500) -> list[int]:
    """Deliveries the sweep should queue: due and not queued lately, or held by a job that died; marked queued."""
    stale = now - REQUEUE_AFTER
    # A retry is not queued (record() cleared enqueued_at); a first attempt's queuing may have been lost.
    not_queued = or_(WebhookDelivery.enqueued_at.is_(None), WebhookDelivery.enqueued_at <= stale)
    pending = (WebhookDelivery.status == DeliveryStatus.PENDING) & (WebhookDelivery.next_attempt_at <= now)
    abandoned = (WebhookDelivery.status == DeliveryStatus.SENDING) & (WebhookDelivery.lease_until < now)
    stmt = (
        select(WebhookDelivery)
        .where(or_(pending & not_queued, abandoned))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    rows = list(db.session.scalars(stmt))
    for row in rows:
        row.enqueued_at = now
    db.session.commit()
    return [row.id for row in rows]
