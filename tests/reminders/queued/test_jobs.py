"""The reminder jobs as RQ runs them: a broken plan's email from the sweep job, and a relay that is down failing
the send job, which RQ retries, with the reminder still pending and nothing written meanwhile."""

from datetime import timedelta

from aiosmtpd.controller import Controller
from rq.registry import ScheduledJobRegistry

from app import queue
from app.reminders.models import ReminderState
from jobs.plans import run_plan_sweep
from jobs.reminders import run_reminders
from tests.imports.sftp_server import free_port
from tests.jobs.conftest import rq_job
from tests.plans.conftest import timeline
from tests.reminders.conftest import Inbox, body_of, pacific
from tests.reminders.test_reminders import DISCLOSURE, _account, before, reminders


def test_the_sweep_breaks_a_plan_and_its_email_goes_by_a_job(smtp, frozen, west_plan, agency, run_worker):
    first = west_plan.instalments[0]
    frozen(pacific(first.due_on + timedelta(days=agency.plan_grace_days + 1), 12))
    assert run_plan_sweep() == 1
    assert smtp.messages == []  # queued, not sent inside the sweep
    run_worker()
    (message,) = smtp.messages
    assert message["Subject"] == f"Your payment plan with {agency.name} has ended"
    assert "$333.33" in body_of(message) and DISCLOSURE in body_of(message)


def test_a_relay_that_is_down_fails_the_job_and_rq_retries_it(mail_config, frozen, west_plan, run_worker):
    _retries().connection.delete(_retries().key)  # retries another run left on the test Redis
    port = free_port()
    mail_config(port)  # nothing listens there yet
    frozen(before(west_plan.instalments[0]))
    assert run_reminders() == 1
    run_worker()
    (reminder,) = reminders(_account(west_plan))
    assert reminder.state == ReminderState.PENDING and reminder.sent_at is None
    assert not any(t.startswith("Reminder") for t in timeline(_account(west_plan)))
    job = rq_job(_send_job_id())
    assert job.get_status() == "scheduled" and job.retries_left == 2  # RQ tries again in 10 s

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        queue.get_queue("default").enqueue_job(job)  # the retry, run now instead of in 10 s
        run_worker()
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and reminder.state == ReminderState.SENT


def _retries() -> ScheduledJobRegistry:
    """Where RQ keeps a failed job until its retry is due."""
    return ScheduledJobRegistry(queue=queue.get_queue("default"))


def _send_job_id() -> str:
    (job_id,) = _retries().get_job_ids()
    return job_id
