"""Reminder jobs: the hourly pass (jobs/cron.py) records the reminders due before an instalment and queues every
pending reminder whose time has come; each is then sent by its own job, retried by RQ when the relay fails."""

from jobs.context import app_context

SEND_RETRIES = 3  # the relay down: RQ tries again after 10 s, 1 min and 5 min; the row stays pending meanwhile


def run_reminders() -> int:
    """Record the before-due reminders and queue the sends due now; returns how many sends were queued."""
    from app.reminders.services import queue_before_due

    with app_context():
        queue_before_due()
        return dispatch_reminders()


def dispatch_reminders() -> int:
    """Queue a send job for every pending reminder whose time has come (a declined charge's, a broken plan's, one
    the guard put off); a reminder queued twice is sent once (the send locks it and finds it sent)."""
    from app.queue import enqueue
    from app.reminders.services import due_ids
    from app.timeutil import utcnow

    with app_context():
        ids = due_ids(utcnow())
        for reminder_id in ids:
            enqueue("jobs.reminders.send_reminder", reminder_id, description=f"reminder {reminder_id}",
                    timeout=120, retries=SEND_RETRIES)  # fmt: skip
        return len(ids)


def send_reminder(reminder_id: int) -> str:
    """Send one reminder (or put it off, or skip it, as the contact guard says); raises when the relay fails."""
    from app.reminders.services import send

    with app_context():
        return send(reminder_id)
