"""Payment jobs (run hourly by ``rq cron``; see jobs/cron.py)."""

from jobs.context import app_context


def reconcile_pending_payments() -> dict[str, int]:
    """Settle card payments left pending by a lost webhook."""
    from app.payments.services.reconcile import reconcile_pending_payments as reconcile

    with app_context():
        return reconcile()
