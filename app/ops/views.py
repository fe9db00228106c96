"""Liveness and readiness probes for operators and orchestrators."""

import logging

from flask import Blueprint, current_app
from redis.exceptions import RedisError
from sqlalchemy import text

from app import queue
from app.extensions import db
from app.payments.services.breaker import stripe_breaker

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@bp.get("/health")
def health():
    """The process is up (no dependencies checked)."""
    return {"status": "ok"}


@bp.get("/ready")
def ready():
    """The process can reach its database and its Redis (when it has one); also reports the Stripe circuit
    (degraded payments, still ready). A 503 names what is down."""
    checks = {"database": _database_up(), "redis": _redis_up()}
    body = {name: "up" if up else "down" for name, up in checks.items() if up is not None}
    body["stripe_circuit"] = stripe_breaker().state()
    down = [name for name, up in checks.items() if up is False]
    if down:
        return {"status": "unavailable", "down": ", ".join(down), **body}, 503
    return {"status": "ok", **body}


def _database_up() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the detail goes to the log, not the probe
        db.session.rollback()
        log.warning("readiness: database check failed", exc_info=True)
        return False
    return True


def _redis_up() -> bool | None:
    """None when this deployment has no Redis (the embedded mode)."""
    if not current_app.config.get("REDIS_URL"):
        return None
    try:
        queue.redis_connection().ping()
    except RedisError:
        log.warning("readiness: redis check failed", exc_info=True)
        return False
    return True
