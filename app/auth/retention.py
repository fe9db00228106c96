"""Security records that only grow unless pruned: the platform's security log (``security_events``) kept for
``SECURITY_EVENT_RETENTION_DAYS``, and the database's rate-limit counters (``rate_limit_counters``) once their
window has lapsed (they count nothing then: ``auth.ratelimit`` reads only live ones). Run hourly by ``rq cron``
(``jobs/auth.py``). A failed sign-in that names a known user is in its agency's audit trail, which is never
pruned; only the log of unknown names ages out."""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from app.auth.models import RateLimitCounter, SecurityEvent
from app.extensions import db
from app.timeutil import utcnow


@dataclass
class Pruned:
    security_events: int
    rate_limit_counters: int

    def __str__(self) -> str:
        return f"{self.security_events} security event(s), {self.rate_limit_counters} lapsed rate-limit counter(s)"


def prune_security_records() -> Pruned:
    """Delete security events older than the retention and lapsed rate-limit counters (the app's clock)."""
    now = utcnow()
    cutoff = now - timedelta(days=current_app.config["SECURITY_EVENT_RETENTION_DAYS"])
    events = db.session.execute(delete(SecurityEvent).where(SecurityEvent.created_at < cutoff))
    counters = db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at <= now))
    db.session.commit()
    return Pruned(events.rowcount, counters.rowcount)
