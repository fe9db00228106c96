"""``Idempotency-Key`` on every API POST: a retry with the same key and body gets the first response again
(status and body); the same key with another body is a 422. Keys belong to one credential (``credential_owner``)
and are kept for ``KEEP``."""

import hashlib
from datetime import timedelta

from flask import Flask, Response, g, request
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.api.security import credential_owner
from app.auth.tokens import IdempotentResponse
from app.errors import ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
MAX_KEY = 255
# Not kept: the retry may well succeed (a refused credential, a rate limit, a server error).
NOT_KEPT = frozenset({401, 429})


def _applies() -> bool:
    return request.method == "POST" and request.path.startswith("/api/") and HEADER in request.headers


def request_hash() -> str:
    path = request.path.rstrip("/")
    return hashlib.sha256(f"{request.method} {path}\n".encode() + request.get_data(cache=True)).hexdigest()


def replay_or_claim():
    """``before_request``: the stored response of a retry, a 422 for a reused key, or note the key to keep."""
    if not _applies() or not current_user.is_authenticated:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > MAX_KEY:
        message = f"The Idempotency-Key must be 1 to {MAX_KEY} characters."
        raise ValidationFailed(message, {HEADER: message})
    owner, digest = credential_owner(), request_hash()
    stored = _stored(owner, key)
    if stored is None:
        g.idempotency = (owner, key, digest)
        return None
    if stored.request_hash != digest:
        message = "This Idempotency-Key was used with another request; use a new key for a new request."
        raise ValidationFailed(message, {HEADER: message})
    return Response(
        stored.body, status=stored.status, content_type=stored.content_type, headers={"Idempotent-Replayed": "true"}
    )


def _stored(owner: str, key: str) -> IdempotentResponse | None:
    stmt = select(IdempotentResponse).where(
        IdempotentResponse.owner == owner,
        IdempotentResponse.key == key,
        IdempotentResponse.created_at > utcnow() - KEEP,
    )
    return db.session.scalars(stmt).first()


def keep(response):
    """``after_request``: store the first response to a keyed POST (not a 401, a 429 or a server error)."""
    claim = g.pop("idempotency", None)
    if claim is None or response.status_code >= 500 or response.status_code in NOT_KEPT or response.direct_passthrough:
        return response
    owner, key, digest = claim
    db.session.rollback()  # nothing of a failed view may ride along with this commit
    db.session.execute(
        delete(IdempotentResponse).where(IdempotentResponse.owner == owner, IdempotentResponse.key == key)
    )
    db.session.add(
        IdempotentResponse(
            owner=owner,
            key=key,
            request_hash=digest,
            status=response.status_code,
            body=response.get_data(as_text=True),
            content_type=response.content_type or "",
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent first request with the same key kept its response first
    return response


def init_app(app: Flask) -> None:
    app.before_request(replay_or_claim)
    app.after_request(keep)
