"""Security-record jobs (run hourly by ``rq cron``; see jobs/cron.py)."""

from jobs.context import app_context


def prune_security_records() -> str:
    """Delete the security log's events past their retention and lapsed rate-limit counters."""
    from app.auth.retention import prune_security_records as prune

    with app_context():
        return str(prune())
