"""The hourly pruning of security records (app.auth.retention, run by ``rq cron`` through jobs/auth.py): the
security log past its configurable retention and the rate-limit counters whose window has lapsed."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import RateLimitCounter, SecurityEvent
from app.extensions import db
from app.timeutil import utcnow
from jobs.auth import prune_security_records


def event(days_ago: float) -> SecurityEvent:
    row = SecurityEvent(
        action="auth.login_failed", username=f"ghost-{days_ago}", created_at=utcnow() - timedelta(days=days_ago)
    )
    db.session.add(row)
    return row


def counter(key: str, seconds_left: int) -> RateLimitCounter:
    row = RateLimitCounter(key=key, hits=3, expires_at=utcnow() + timedelta(seconds=seconds_left))
    db.session.add(row)
    return row


def kept_events() -> set[str]:
    return set(db.session.scalars(select(SecurityEvent.username).where(SecurityEvent.username.like("ghost-%"))))


def kept_counters() -> set[str]:
    return set(db.session.scalars(select(RateLimitCounter.key).where(RateLimitCounter.key.like("retention-%"))))


def test_events_past_the_retention_and_lapsed_counters_are_pruned(app):
    event(91), event(89), counter("retention-lapsed", -1), counter("retention-live", 60)
    db.session.flush()
    assert app.config["SECURITY_EVENT_RETENTION_DAYS"] == 90
    assert prune_security_records().startswith("1 security event(s), ")
    assert kept_events() == {"ghost-89"} and kept_counters() == {"retention-live"}


def test_the_retention_is_a_setting_and_time_is_the_apps_clock(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SECURITY_EVENT_RETENTION_DAYS", 7)
    event(6), counter("retention-live", 60)
    db.session.flush()
    prune_security_records()
    assert kept_events() == {"ghost-6"} and kept_counters() == {"retention-live"}
    clock.advance(timedelta(days=1, minutes=1))  # the event is now past 7 days, the counter's window over
    prune_security_records()
    assert kept_events() == set() and kept_counters() == set()
