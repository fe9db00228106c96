"""Polling a source: take each finished, new file, store it, record its job, move it, queue the import.

A poll holds a lease on the source (an atomic UPDATE), so two overlapping polls cannot both take a file.
Files whose name says they are still being written, or whose size changes between two looks, wait for the
next poll. A file is stored and its job committed *before* it is moved to the processed directory: if the
move fails, the next poll finds the same content and records it as a duplicate.
"""

import logging
import tempfile
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app import tenancy
from app.extensions import db
from app.imports import sftp
from app.imports.models import ImportJob, ImportSource
from app.imports.services import receive
from app.imports.services.sources import open_folder
from app.timeutil import utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)


def poll_source(source_id: int) -> list[ImportJob]:
    """Fetch the source's new files; returns the jobs recorded (empty when another poll holds the lease)."""
    if not _take_lease(source_id):
        log.info("poll of source %s skipped: another poll is running", source_id)
        return []
    source = db.session.get(ImportSource, source_id)
    tenancy.scope(source.agency_id)
    jobs: list[ImportJob] = []
    result = "Failed: the poll stopped unexpectedly (see the worker log)."
    try:
        with open_folder(source) as folder:
            for remote in stable_files(folder, source.pattern):
                jobs.append(_store(folder, source, remote))
                _move(folder, source, jobs[-1])
        result = f"OK: {len(jobs)} new file(s)."
    except sftp.RemoteError as exc:
        result = f"Failed: {exc}"
    finally:
        db.session.rollback()  # every fetched file was committed; drop only a half-done one
        _finish_poll(db.session.get(ImportSource, source_id), result)
    for job in jobs:
        receive.queue_job(job)
    return jobs


def _take_lease(source_id: int) -> bool:
    now = utcnow()
    stmt = (
        update(ImportSource)
        .where(ImportSource.id == source_id)
        .where(or_(ImportSource.poll_lease_until.is_(None), ImportSource.poll_lease_until < now))
        .values(poll_lease_until=now + LEASE)
    )
    taken = db.session.execute(stmt).rowcount == 1
    db.session.commit()
    return taken


def _finish_poll(source: ImportSource, result: str) -> None:
    source.last_polled_at, source.last_poll_result, source.poll_lease_until = utcnow(), result[:1000], None
    db.session.commit()


def stable_files(folder, pattern: str) -> list[sftp.RemoteFile]:
    """Matching files whose size and time did not change between two looks."""
    first = {f.name: f for f in folder.list_files() if sftp.is_candidate(f.name, pattern)}
    if not first:
        return []
    time.sleep(current_app.config.get("IMPORT_SETTLE_SECONDS", 2.0))
    second = folder.list_files()
    return sorted((f for f in second if first.get(f.name) == f), key=lambda f: f.name)


def _store(folder, source: ImportSource, remote: sftp.RemoteFile) -> ImportJob:
    """Download a file into the store and commit its job (before the remote file is moved)."""
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as buffer:
        folder.download(remote.name, buffer)
        buffer.seek(0)
        job = receive.receive_stream(source.agency_id, buffer, remote.name, source=source)
    db.session.commit()
    return job


def _move(folder, source: ImportSource, job: ImportJob) -> None:
    moved_to = folder.move_to_processed(job.file_name)
    job.note(f"Fetched from {source.name}; moved to {moved_to}.")
    db.session.commit()


def queue_due_polls() -> int:
    """Queue a poll for every enabled source whose interval has elapsed (called each minute by rq cron)."""
    from app import queue

    now = utcnow()
    due = 0
    for source in db.session.scalars(select(ImportSource).where(ImportSource.enabled.is_(True))):
        last = source.last_polled_at
        if last is None or last + timedelta(minutes=source.poll_interval_minutes) <= now:
            queue.enqueue("jobs.imports.poll_source", source.id, queue="imports", description=f"poll {source.name}")
            due += 1
    return due
