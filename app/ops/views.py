"""Liveness, readiness and metrics for operators and orchestrators."""

import logging

from flask import Blueprint

from app.ops import checks, metrics
from app.payments.services.breaker import stripe_breaker

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@bp.get("/health")
def health():
    """The process is up (no dependencies checked)."""
    return {"status": "ok"}


@bp.get("/ready")
def ready():
    """The process can reach its database (migrated to the head revision), its Redis (when it has one) and its
    storage directory; also reports the Stripe circuit (degraded payments, still ready). A 503 names what failed."""
    results = checks.run_all()
    body = {name: "up" if up else "down" for name, up in results.items() if up is not None}
    body["stripe_circuit"] = stripe_breaker().state()
    down = [name for name, up in results.items() if up is False]
    if down:
        return {"status": "unavailable", "down": ", ".join(down), **body}, 503
    return {"status": "ok", **body}


bp.add_url_rule("/metrics", "metrics", metrics.metrics_view)
