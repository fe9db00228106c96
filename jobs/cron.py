"""Periodic jobs: run exactly one ``rq cron jobs/cron.py --url "$REDIS_URL"`` per deployment.

* every minute, ``poll_due_sources`` queues a poll of each enabled import source whose own interval
  (15 minutes by default, set per source in Settings) has elapsed;
* every minute, ``sweep_import_jobs`` enqueues import jobs left behind (queued while Redis was down, or
  running when their worker was killed), which then resume after their committed batches;
* every minute, ``sweep_webhook_deliveries`` queues outbound webhook deliveries whose retry is due (and any
  whose first queuing was lost with Redis);
* hourly, a few minutes past so it does not coincide with other top-of-the-hour work,
  ``reconcile_pending_payments`` settles card payments whose webhook never came;
* hourly, at another minute, ``write_audit_checkpoint`` publishes every agency's audit chain head to a signed
  file under ``AUDIT_CHECKPOINT_DIR`` (outside the database);
* hourly, at a third minute, ``prune_security_records`` deletes security events past
  ``SECURITY_EVENT_RETENTION_DAYS`` and lapsed rate-limit counters;
* hourly, at a fourth minute, ``run_plan_sweep`` breaks plans with an instalment unpaid past the agency's grace
  days. Each agency's day turns at its own midnight, so an hourly run catches every timezone's new day within
  the hour; a run finds nothing to do on the other 23 (a plan breaks once);
* hourly, at a fifth minute, ``run_autopay`` charges the autopay instalments due on their agency's today (and the
  retries due) to the saved cards; an instalment is charged once per attempt (its idempotency key), so the other
  runs of the day find nothing;
* hourly, at a sixth minute, ``run_reminders`` records an email reminder for each instalment due within the
  agency's ``reminder_days_before`` (once per instalment) and queues every pending reminder whose time has come
  (one the contact guard put off to the morning included).
"""

from rq import cron

from jobs.audit import write_audit_checkpoint
from jobs.auth import prune_security_records
from jobs.imports import poll_due_sources, sweep_import_jobs
from jobs.payments import reconcile_pending_payments
from jobs.plans import run_autopay, run_plan_sweep
from jobs.reminders import run_reminders
from jobs.webhooks import sweep_webhook_deliveries

cron.register(poll_due_sources, queue_name="imports", interval=60, name="poll-import-sources")
cron.register(sweep_import_jobs, queue_name="default", interval=60, name="sweep-import-jobs")
cron.register(sweep_webhook_deliveries, queue_name="default", interval=60, name="sweep-webhook-deliveries")
cron.register(reconcile_pending_payments, queue_name="default", cron="7 * * * *", job_timeout=900)
cron.register(write_audit_checkpoint, queue_name="default", cron="37 * * * *", job_timeout=300)
cron.register(prune_security_records, queue_name="default", cron="47 * * * *", job_timeout=300)
cron.register(run_plan_sweep, queue_name="default", cron="23 * * * *", job_timeout=900)
cron.register(run_autopay, queue_name="default", cron="53 * * * *", job_timeout=1800)
cron.register(run_reminders, queue_name="default", cron="13 * * * *", job_timeout=900)
