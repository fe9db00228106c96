"""Liveness and readiness probes for operators and orchestrators."""

from flask import Blueprint
from sqlalchemy import text

from app.extensions import db
from app.payments.services.breaker import stripe_breaker

bp = Blueprint("ops", __name__)


@bp.get("/health")
def health():
    """The process is up (no dependencies checked)."""
    return {"status": "ok"}


@bp.get("/ready")
def ready():
    """The process can reach its database; also reports the Stripe circuit (degraded payments, still ready)."""
    circuit = stripe_breaker().state()
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the detail goes to the log, not the probe
        db.session.rollback()
        return {"status": "unavailable", "database": "down", "stripe_circuit": circuit}, 503
    return {"status": "ok", "database": "up", "stripe_circuit": circuit}
