"""The periodic jobs (jobs/cron.py) as ``rq cron`` loads and queues them, run by a real worker."""

from datetime import timedelta

from rq.cron import CronScheduler
from rq.job import JobStatus as RqStatus

from app import queue
from app.extensions import db
from app.imports.models import ImportSource, SourceKind
from app.timeutil import utcnow
from tests.jobs.conftest import rq_job


def scheduler() -> CronScheduler:
    """What ``rq cron jobs/cron.py`` builds on start."""
    cron = CronScheduler(connection=queue.redis_connection(), logging_level="WARNING")
    cron.load_config_from_file("jobs/cron.py")
    return cron


def test_the_cron_file_registers_every_periodic_job():
    jobs = {job.func_name: job for job in scheduler().get_jobs()}
    names = {
        "jobs.imports.poll_due_sources",
        "jobs.imports.sweep_import_jobs",
        "jobs.payments.reconcile_pending_payments",
        "jobs.audit.write_audit_checkpoint",
        "jobs.auth.prune_security_records",
        "jobs.webhooks.sweep_webhook_deliveries",
        "jobs.plans.run_plan_sweep",
        "jobs.plans.run_autopay",
        "jobs.reminders.run_reminders",
    }
    assert set(jobs) == names
    assert jobs["jobs.reminders.run_reminders"].cron == "13 * * * *"
    assert (
        jobs["jobs.plans.run_plan_sweep"].cron == "23 * * * *" and jobs["jobs.plans.run_autopay"].cron == "53 * * * *"
    )
    sweep = jobs["jobs.imports.sweep_import_jobs"]
    assert (sweep.name, sweep.queue_name, sweep.interval) == ("sweep-import-jobs", "default", 60)
    webhooks = jobs["jobs.webhooks.sweep_webhook_deliveries"]
    assert (webhooks.name, webhooks.queue_name, webhooks.interval) == ("sweep-webhook-deliveries", "default", 60)
    checkpoint = jobs["jobs.audit.write_audit_checkpoint"]
    assert (checkpoint.queue_name, checkpoint.cron) == ("default", "37 * * * *")
    assert jobs["jobs.auth.prune_security_records"].cron == "47 * * * *"
    poll, reconcile = jobs["jobs.imports.poll_due_sources"], jobs["jobs.payments.reconcile_pending_payments"]
    assert (poll.name, poll.queue_name, poll.interval, poll.cron) == ("poll-import-sources", "imports", 60, None)
    assert (reconcile.queue_name, reconcile.cron, reconcile.job_options["job_timeout"]) == ("default", "7 * * * *", 900)
    assert reconcile.next_enqueue_time.astimezone().minute == 7


def source(agency, tmp_path, name: str, last_polled_minutes_ago: int | None) -> ImportSource:
    drop = tmp_path / name
    drop.mkdir()
    last = None if last_polled_minutes_ago is None else utcnow() - timedelta(minutes=last_polled_minutes_ago)
    row = ImportSource(
        agency_id=agency.id,
        name=name,
        kind=SourceKind.LOCAL,
        remote_dir=str(drop),
        processed_dir=str(drop / "processed"),
        poll_interval_minutes=15,
        last_polled_at=last,
    )
    db.session.add(row)
    return row


def test_the_minute_poll_queues_a_poll_of_each_due_source(agency, tmp_path, run_worker):
    never = source(agency, tmp_path, "never", None)
    overdue = source(agency, tmp_path, "overdue", 16)
    recent = source(agency, tmp_path, "recent", 5)
    disabled = source(agency, tmp_path, "disabled", None)
    disabled.enabled = False
    db.session.commit()
    enqueued = scheduler().enqueue_jobs()  # at start only the interval jobs are due
    assert sorted(job.name for job in enqueued) == [
        "poll-import-sources",
        "sweep-import-jobs",
        "sweep-webhook-deliveries",
    ]
    [cron_rq_id] = queue.get_queue("imports").get_job_ids()

    run_worker()

    assert rq_job(cron_rq_id).get_status() == RqStatus.FINISHED
    for polled in (never, overdue):
        db.session.refresh(polled)
        assert polled.last_poll_result == "OK: 0 new file(s)."
    for skipped in (recent, disabled):
        db.session.refresh(skipped)
        assert skipped.last_poll_result == ""
