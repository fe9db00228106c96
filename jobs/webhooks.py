"""Webhook jobs: one delivery attempt per job, and the minute sweep that queues due retries (jobs/cron.py)."""

from jobs.context import app_context


def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt at a delivery; its outcome is kept on the delivery row, not in RQ."""
    from app.webhooks import delivery

    with app_context():
        status = delivery.deliver(delivery_id)
        return status and status.value


def sweep_webhook_deliveries() -> int:
    """Queue the deliveries whose (re)try is due; returns how many."""
    from app.timeutil import utcnow
    from app.webhooks import delivery, events

    with app_context():
        ids = delivery.due_ids(utcnow())
        events.queue_deliveries(ids)
        return len(ids)
