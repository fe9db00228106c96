"""Receiving a file: store its bytes durably, detect a duplicate by SHA-256, record and queue its job."""

import logging
from pathlib import Path
from typing import BinaryIO

from redis.exceptions import RedisError
from sqlalchemy import select

from app import queue
from app.audit import services as audit
from app.auth.models import User
from app.extensions import db
from app.imports import storage
from app.imports.models import ImportJob, ImportSource, JobStatus

log = logging.getLogger(__name__)
DONE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.COMPLETED, JobStatus.COMPLETED_WITH_ERRORS)


def receive_stream(
    agency_id: int,
    stream: BinaryIO,
    file_name: str,
    *,
    actor: User | None = None,
    source: ImportSource | None = None,
    trigger: str = "",
) -> ImportJob:
    """Store an incoming file and record its job: ``duplicate`` when the agency already has this content.

    The caller commits (so a poll can record the job before moving the remote file) and then queues it
    with :func:`queue_job`.
    """
    sha, size, path = storage.store_stream(agency_id, stream)
    job = ImportJob(
        agency_id=agency_id,
        source_id=source.id if source else None,
        file_name=Path(file_name).name[:255] or "upload.csv",
        sha256=sha,
        size_bytes=size,
        stored_path=str(path),
        trigger=trigger or _trigger_text(actor, source),
        triggered_by_id=actor.id if actor else None,
    )
    _mark_duplicate(job)
    db.session.add(job)
    db.session.flush()
    action = "import.duplicate" if job.status == JobStatus.DUPLICATE else "import.received"
    details = {"file_name": job.file_name, "sha256": sha, "size_bytes": size, "trigger": job.trigger}
    audit.record(actor, agency_id, action, "import_job", job.id, details)
    return job


def _trigger_text(actor: User | None, source: ImportSource | None) -> str:
    if source:
        return f"source {source.name}"
    return f"upload by {actor.username}" if actor else "command line"


def _mark_duplicate(job: ImportJob) -> None:
    """A file whose content this agency already imported (or is importing) is recorded, not re-applied."""
    stmt = select(ImportJob).where(
        ImportJob.agency_id == job.agency_id,
        ImportJob.sha256 == job.sha256,
        ImportJob.status.in_(DONE_STATUSES),
    )
    earlier = db.session.scalars(stmt.order_by(ImportJob.id).limit(1)).first()
    if earlier:
        job.status, job.duplicate_of_id = JobStatus.DUPLICATE, earlier.id
        job.message = f"Same content as import #{earlier.id} ({earlier.file_name}); not applied again."
        job.finished_at = job.created_at


def queue_job(job: ImportJob) -> None:
    """Hand a recorded, committed job to the import worker (duplicates are not queued).

    With Redis unreachable the job stays ``queued`` without an RQ id; the sweep enqueues it once Redis is back
    (:mod:`app.imports.services.recovery`), so an upload is never refused or lost for want of a queue.
    """
    if job.status == JobStatus.QUEUED:
        enqueue_run(job)


def enqueue_run(job: ImportJob) -> bool:
    """Enqueue a run of the job and remember its RQ id; False (logged) when Redis cannot be reached."""
    try:
        rq_id = queue.enqueue("jobs.imports.run_import", job.id, queue="imports", description=f"import #{job.id}")
    except RedisError:
        log.warning("import #%s stays queued: Redis is unreachable; the sweep will enqueue it", job.id, exc_info=True)
        return False
    job.rq_job_id = rq_id
    db.session.commit()
    return True


def receive_upload(agency_id: int, stream: BinaryIO, file_name: str, *, actor: User) -> ImportJob:
    """An admin's browser upload: record, commit and queue it."""
    job = receive_stream(agency_id, stream, file_name, actor=actor)
    db.session.commit()
    queue_job(job)
    return job


def receive_path(agency_id: int, path: Path, *, actor: User | None = None, trigger: str = "") -> ImportJob:
    """A local file (the CLI): record and commit its job; the caller runs it."""
    with path.open("rb") as fh:
        job = receive_stream(agency_id, fh, path.name, actor=actor, trigger=trigger)
    db.session.commit()
    return job
