"""Periodic jobs for ``rq cron jobs/cron.py --url $REDIS_URL`` (run exactly one such process)."""

from rq import cron

from jobs.payments import reconcile_pending_payments

# Hourly, a few minutes past so it does not coincide with other top-of-the-hour work.
cron.register(reconcile_pending_payments, queue_name="default", cron="7 * * * *", job_timeout=900)
