"""Import jobs that heal themselves: a periodic sweep enqueues every job nobody is going to run.

Two ways a job is left behind:

* **queued, never handed to RQ** (Redis was unreachable when the file arrived) or handed to an RQ job that is
  gone (Redis lost its data) or ended without running it (its worker was killed before it started);
* **running, with its run dead** (the work-horse or the whole worker was killed, the machine restarted).

A run holds its agency's import lock for as long as it lives (a PostgreSQL advisory lock on its own connection,
or a file lock on SQLite), and the lock goes with its process. So "running, and the agency's lock is free" means
the run is dead, at once and without guessing a heartbeat timeout. The job is then enqueued again and resumes
after its committed batches (:mod:`run`). Enqueueing twice is harmless: a second run waits for the lock and
finds the job finished.

``rq cron`` runs the sweep every minute (jobs/cron.py); ``flask jobs sweep`` runs it by hand, and the worker's
container runs it on start (deploy/entrypoint.sh).
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from app import queue
from app.extensions import db
from app.imports.models import ImportJob, JobStatus
from app.imports.services import receive, runlock
from app.timeutil import utcnow

# A job recorded this recently may be between its commit and its enqueue: leave it to the receiver.
QUEUED_GRACE = timedelta(seconds=60)
WAITING_IN_RQ = ("queued", "deferred", "scheduled")


@dataclass
class SweepResult:
    enqueued: list[int]  # queued jobs handed to RQ
    resumed: list[int]  # interrupted jobs enqueued again

    def __str__(self) -> str:
        return f"{len(self.enqueued)} queued job(s) enqueued, {len(self.resumed)} interrupted job(s) resumed"


def sweep_import_jobs() -> SweepResult:
    """Enqueue the queued jobs RQ does not hold and the running jobs whose run died (RedisError: Redis is down)."""
    queue.redis_connection().ping()  # with Redis down nothing could be enqueued: say so rather than count zero
    result = SweepResult([], [])
    for job in _candidates():
        found = result.resumed if job.status == JobStatus.RUNNING else result.enqueued
        if _left_behind(job) and receive.enqueue_run(job):
            found.append(job.id)
    db.session.commit()
    return result


def _candidates() -> list[ImportJob]:
    recorded_before = utcnow() - QUEUED_GRACE
    stmt = select(ImportJob).where(
        or_(
            ImportJob.status == JobStatus.RUNNING,
            (ImportJob.status == JobStatus.QUEUED) & (ImportJob.created_at < recorded_before),
        )
    )
    jobs = db.session.scalars(stmt.order_by(ImportJob.id)).all()
    db.session.commit()  # hold no snapshot while asking Redis and the locks
    return jobs


def _left_behind(job: ImportJob) -> bool:
    """No RQ job waits to run it, and no live run holds it."""
    state = queue.rq_status(job.rq_job_id)
    if state in WAITING_IN_RQ:
        return False
    if job.status == JobStatus.RUNNING or state == "started":
        return not runlock.import_in_progress(job.agency_id)
    return True
