"""Running an import job: parse the stored file, apply valid rows in batches, record every bad row.

Each batch commits its rows, its row errors, its checkpoint (an ImportBatch: the line range) and the job's
counts in one transaction (:mod:`writers`). A run that dies (worker killed) leaves the job ``running`` with its
committed batches; running the job again skips their lines, so the end state equals one clean import.
"""

import gc
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app import tenancy
from app.audit import services as audit
from app.debtors.models import Debtor
from app.extensions import db
from app.imports import parsing, repeats, validation
from app.imports import queries as imports_queries
from app.imports.models import ImportBatch, ImportJob, JobStatus
from app.imports.parsing import Batch, FileRejected, Row
from app.imports.services import apply, writers
from app.imports.services.runlock import agency_import_lock
from app.timeutil import utcnow
from app.webhooks import events as webhooks

HELD_BATCHES = 10  # batches with nothing to apply committed together, at most (see _Checkpoints)
FINISHED = (JobStatus.COMPLETED, JobStatus.COMPLETED_WITH_ERRORS, JobStatus.FAILED, JobStatus.DUPLICATE)


def run_import(job_id: int) -> ImportJob | None:
    """Process a queued (or interrupted) job to its end; a finished or unknown job is left alone."""
    agency_id = db.session.scalar(select(ImportJob.agency_id).where(ImportJob.id == job_id))
    db.session.commit()  # do not hold a snapshot open while waiting for the agency's lock
    if agency_id is None:
        return None
    tenancy.scope(agency_id)
    with agency_import_lock(agency_id):
        job = _claim(job_id)
        if job is None:
            return None
        try:
            header, records = parsing.read_rows(Path(job.stored_path))
            job.unknown_columns = header.unknown
            with _fewer_collections():
                _process(job, records, header, independent=_rows_are_independent(job.agency_id, header))
        except (FileRejected, OSError) as exc:
            db.session.rollback()
            return fail_job(job_id, str(exc))
        return _finish(job)


def run_queued_import(job_id: int) -> ImportJob | None:
    """The worker's entry: :func:`run_import`, and on an unexpected error the job is marked failed (with the
    error's name for the admin) before the error goes on to the queue."""
    try:
        return run_import(job_id)
    except Exception as exc:
        db.session.rollback()
        fail_job(job_id, f"Unexpected error: {exc.__class__.__name__}: {exc}")
        raise


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """An import allocates millions of short-lived objects. At Python's default thresholds the cyclic garbage
    collector ran so often, each time walking everything alive, that it became a large share of a re-import's
    time; it still runs, just less often. (Process-wide, restored afterwards.)"""
    old = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _claim(job_id: int) -> ImportJob | None:
    """Lock the job and start an attempt; an interrupted one resumes after its committed batches."""
    job = db.session.scalars(select(ImportJob).where(ImportJob.id == job_id).with_for_update()).first()
    if job is None or job.status in FINISHED:
        db.session.rollback()
        return None
    if job.status == JobStatus.RUNNING:
        done = db.session.scalar(select(func.count()).where(ImportBatch.job_id == job.id))
        job.note(f"Attempt {job.attempts} was interrupted after {job.total} rows in {done} batches; resuming.")
    job.attempts += 1
    job.status, job.started_at = JobStatus.RUNNING, job.started_at or utcnow()
    job.total_lines = parsing.count_lines(Path(job.stored_path))
    job.note(f"Attempt {job.attempts} started.")
    db.session.commit()
    return job


def _rows_are_independent(agency_id: int, header: parsing.Header) -> bool:
    """Whether batches may be applied in any order: no two lines can write the same debtor.

    Lines share a debtor only through ``debtor_ref`` (the later line's values win), so a file with that
    column, or an agency that already has shared debtors, is applied by one writer in file order.
    """
    if "debtor_ref" in header.names:
        return False
    shared = select(Debtor.id).where(Debtor.agency_id == agency_id, Debtor.debtor_ref.is_not(None)).limit(1)
    return db.session.scalar(shared) is None


def _process(job: ImportJob, records: Iterator, header: parsing.Header, independent: bool) -> None:
    """Validate the file in batches and hand the lines not yet committed to the batch writer."""
    size = current_app.config.get("IMPORT_BATCH_SIZE", 5000)
    ref = writers.JobRef(job.id, job.agency_id, job.file_name)
    done = writers.LineRanges(job.id)
    db.session.commit()  # writers use sessions of their own: hold no transaction (or job row lock) here
    validator, seen = validation.RowValidator(header), repeats.SeenRefs()
    batches = _looked_up(job.agency_id, validator, _batches(records, size))
    try:
        with writers.batch_writer(ref, apply.apply_batch, apply.Encryptor(), independent) as submit:
            checkpoints = _Checkpoints(submit, size * HELD_BATCHES)
            for chunk, refs, stored in batches:
                rows, unchanged = _validate(validator, chunk, refs, stored, skip_unchanged=independent)
                rows += seen.mark_repeats(rows, unchanged)
                batch = _pending(chunk, rows, unchanged, done)
                if batch is not None:
                    checkpoints.add(batch)
            checkpoints.flush()
    finally:
        batches.close()  # waits for a look-up still running ahead
        seen.close()
    db.session.expire(job)


class _Checkpoints:
    """Hands batches to the writer in file order. Consecutive batches with nothing to apply (unchanged and
    rejected rows only, as in a re-import) are held and committed as one, up to ``lines`` lines: one
    transaction, one checkpoint, instead of one each (the writers' per-transaction Python competes with the
    reading thread for the interpreter lock)."""

    def __init__(self, submit, lines: int):
        self.submit, self.lines, self.held = submit, lines, None

    def add(self, batch: Batch) -> None:
        if any(row.data is not None for row in batch.rows):
            self.flush()
            self.submit(batch)
            return
        self.held = batch if self.held is None else self.held.then(batch)
        if self.held.last_line - self.held.first_line >= self.lines:
            self.flush()

    def flush(self) -> None:
        if self.held is not None:
            self.submit(self.held)
            self.held = None


def _looked_up(agency_id: int, validator: validation.RowValidator, batches: Iterator[list]) -> Iterator[tuple]:
    """Each batch with its refs and their stored fingerprints. With writer threads, the next batch is looked
    up (on a connection of its own) while this one is validated."""

    def lookup(batch: list) -> tuple[list, list[str], dict]:
        refs = validator.refs(batch)
        found = imports_queries.fingerprints(agency_id, refs)
        db.session.commit()  # a short read: end it
        return batch, refs, found

    if not writers.uses_threads():
        yield from map(lookup, batches)
        return
    app = current_app._get_current_object()

    def in_context(batch: list) -> tuple:
        with app.app_context():
            return lookup(batch)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-lookup") as pool:
        ahead = None
        for batch in batches:
            future = pool.submit(in_context, batch)
            if ahead is not None:
                yield ahead.result()
            ahead = future
        if ahead is not None:
            yield ahead.result()


def _validate(validator: validation.RowValidator, records: list, refs: list[str], stored: dict, skip_unchanged: bool):
    """Validate a batch of records: the checked rows, and ``(ref, line)`` of the unchanged ones. A row whose
    digest equals that of the row that last wrote its account is taken as it is, without a Row: it was valid
    then, and applying it again would change nothing."""
    prints = validator.fingerprints(records)
    if skip_unchanged:
        same = [fp is not None and stored.get(ref) == fp for ref, fp in zip(refs, prints, strict=True)]
    else:
        same = [False] * len(refs)
    unchanged = [(ref, rec[0]) for rec, ref, kept in zip(records, refs, same, strict=True) if kept]
    rows = [
        _checked(validator, rec, ref, fp, stored)
        for rec, ref, fp, kept in zip(records, refs, prints, same, strict=True)
        if not kept
    ]
    return rows, unchanged


def _checked(validator: validation.RowValidator, record: tuple, ref: str, fingerprint: str | None, stored: dict) -> Row:
    row = validator.check(record[0], record[1])
    row.fingerprint, row.known = fingerprint, ref in stored
    return row


def _pending(records: list, rows: list[Row], unchanged: list, done: writers.LineRanges) -> Batch | None:
    """The batch to write, without the lines a committed batch of an earlier attempt already covers."""
    if not len(done):
        return Batch(rows, records[0][0], records[-1][0], len(unchanged))
    lines = [rec[0] for rec in records if not done.covers(rec[0])]
    if not lines:
        return None
    rows = [r for r in rows if not done.covers(r.line_no)]
    return Batch(rows, lines[0], lines[-1], sum(1 for _, line in unchanged if not done.covers(line)))


def _batches(records: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _finish(job: ImportJob) -> ImportJob:
    job.status = JobStatus.COMPLETED_WITH_ERRORS if job.errors else JobStatus.COMPLETED
    job.finished_at = utcnow()
    job.lines_done = job.total_lines
    job.note(f"Finished: {job.total} rows, {job.created} created, {job.updated} updated, {job.errors} rejected.")
    audit.record(job.triggered_by, job.agency_id, "import.applied", "import_job", job.id, summary(job))
    announce(job)
    db.session.commit()
    _analyze_after_bulk_load(job)
    return job


def announce(job: ImportJob) -> None:
    """The webhook events of a finished import. New accounts are announced once per import (count and job id),
    not once per account: a file of a million rows must not write a million outbox rows per endpoint."""
    counts = {k: getattr(job, k) for k in ("total", "created", "updated", "errors")}
    if job.created:
        webhooks.emit(job.agency_id, "account.created", {"import_job_id": job.id, "count": job.created})
    webhooks.emit(job.agency_id, "import.completed", {"import_job_id": job.id, "status": job.status.value, **counts})


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
    """Refresh planner statistics after a large load: estimates made for a much smaller table lead the next
    batches' upserts into poor plans."""
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
