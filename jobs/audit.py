"""Audit jobs (run hourly by ``rq cron``; see jobs/cron.py)."""

from jobs.context import app_context


def write_audit_checkpoint() -> str:
    """Publish every agency's chain head to a signed checkpoint file outside the database."""
    from app.audit.checkpoint import write_checkpoint

    with app_context():
        return str(write_checkpoint())
