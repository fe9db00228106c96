"""Running an import job: parse the stored file, apply valid rows in batches, record every bad row.

Each batch commits its rows, its row errors and the job's progress (``lines_done`` and the counts) in one
transaction. A run that dies (worker killed) leaves the job ``running`` with the last committed batch as its
checkpoint; running the job again skips the lines already applied, so the end state equals one clean import.
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, insert, select

from app.audit import services as audit
from app.extensions import db
from app.imports import parsing
from app.imports.models import ImportJob, ImportRowError, JobStatus
from app.imports.parsing import FileRejected, Row
from app.imports.services import apply_rows
from app.timeutil import utcnow

FINISHED = (JobStatus.COMPLETED, JobStatus.COMPLETED_WITH_ERRORS, JobStatus.FAILED, JobStatus.DUPLICATE)


def run_import(job_id: int) -> ImportJob | None:
    """Process a queued (or interrupted) job to its end; a finished or unknown job is left alone."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        header, rows = parsing.read_rows(Path(job.stored_path))
        job.unknown_columns = header.unknown
        _process(job, rows)
    except (FileRejected, OSError) as exc:
        db.session.rollback()
        return fail_job(job_id, str(exc))
    return _finish(job)


def _claim(job_id: int) -> ImportJob | None:
    """Lock the job, start an attempt, and forget the errors of lines the last attempt did not commit."""
    job = db.session.scalars(select(ImportJob).where(ImportJob.id == job_id).with_for_update()).first()
    if job is None or job.status in FINISHED:
        return None
    if job.status == JobStatus.RUNNING:
        job.note(f"Attempt {job.attempts} was interrupted after line {job.lines_done}; resuming from there.")
    db.session.execute(
        delete(ImportRowError).where(ImportRowError.job_id == job.id, ImportRowError.line_no > job.lines_done)
    )
    job.attempts += 1
    job.status, job.started_at = JobStatus.RUNNING, job.started_at or utcnow()
    job.total_lines = parsing.count_lines(Path(job.stored_path))
    job.note(f"Attempt {job.attempts} started.")
    db.session.commit()
    return job


def _process(job: ImportJob, rows: Iterator[Row]) -> None:
    size = current_app.config.get("IMPORT_BATCH_SIZE", 2000)
    apply = _batch_applier()
    encrypt = apply_rows.Encryptor()
    for batch in _batches(rows, size):
        pending = [r for r in batch if r.line_no > job.lines_done]
        if pending:
            apply(job, pending, encrypt)
            job.lines_done = pending[-1].line_no
            db.session.commit()


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _batch_applier():
    """The PostgreSQL COPY path when available, else portable batched statements."""
    if db.session.get_bind().dialect.name == "postgresql" and current_app.config.get("IMPORT_FAST_PATH", True):
        from app.imports.services import apply_pg

        return apply_pg.apply_checked_batch
    return apply_checked_batch


def apply_checked_batch(job: ImportJob, rows: list[Row], encrypt: apply_rows.Encryptor) -> None:
    """Record the batch's bad rows and upsert its good ones, updating the job's counts."""
    good = [r for r in rows if r.data is not None]
    record_row_errors(job, [r for r in rows if r.data is None])
    outcome = apply_rows.apply_batch(job.agency_id, job.id, job.file_name, good, encrypt) if good else None
    add_counts(job, len(rows), len(good), outcome.created if outcome else 0, outcome.updated if outcome else 0)


def add_counts(job: ImportJob, total: int, ok: int, created: int, updated: int) -> None:
    job.total += total
    job.ok += ok
    job.created += created
    job.updated += updated
    job.errors += total - ok


def record_row_errors(job: ImportJob, rows: list[Row]) -> None:
    """One ImportRowError per broken rule of each bad row."""
    params = [
        {"job_id": job.id, "line_no": r.line_no, "column": col, "message": msg, "external_ref": r.ref}
        for r in rows
        for col, msg in r.errors
    ]
    if params:
        db.session.execute(insert(ImportRowError), params)


def _finish(job: ImportJob) -> ImportJob:
    job.status = JobStatus.COMPLETED_WITH_ERRORS if job.errors else JobStatus.COMPLETED
    job.finished_at = utcnow()
    job.lines_done = job.total_lines
    job.note(f"Finished: {job.total} rows, {job.created} created, {job.updated} updated, {job.errors} rejected.")
    audit.record(job.triggered_by, job.agency_id, "import.applied", "import_job", job.id, summary(job))
    db.session.commit()
    _analyze_after_bulk_load(job)
    return job


def summary(job: ImportJob) -> dict:
    """The job's outcome as plain values (CLI output, audit event)."""
    return {
        "job_id": job.id,
        "status": job.status.value,
        "file_name": job.file_name,
        "sha256": job.sha256,
        "trigger": job.trigger,
        "total": job.total,
        "ok": job.ok,
        "created": job.created,
        "updated": job.updated,
        "errors": job.errors,
        "unknown_columns": job.unknown_columns,
        "message": job.message,
    }


def _analyze_after_bulk_load(job: ImportJob) -> None:
    """Refresh planner statistics after a large load (a stale estimate made upserts 20x slower)."""
    if job.created >= current_app.config.get("IMPORT_ANALYZE_ROWS", 50_000):
        for table in ("accounts", "debtors", "activities"):
            db.session.execute(db.text(f"ANALYZE {table}"))
        db.session.commit()


def fail_job(job_id: int, message: str) -> ImportJob:
    """Mark a job failed with a message for the admin (the file itself could not be processed)."""
    job = db.session.get(ImportJob, job_id)
    job.status, job.message, job.finished_at = JobStatus.FAILED, message[:2000], utcnow()
    job.note(f"Failed: {message[:500]}")
    audit.record(job.triggered_by, job.agency_id, "import.failed", "import_job", job.id, {"message": message[:500]})
    db.session.commit()
    return job
