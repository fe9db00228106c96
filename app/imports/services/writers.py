"""Writing an import's batches: each batch and its checkpoint commit together, inline or by writer threads.

On PostgreSQL two writer threads, each with its own session and connection, apply batches while the
caller keeps reading and validating the file: the database does the heavy part (index maintenance), and two
connections keep both cores busy. Batches may then commit out of order, which is why the checkpoint is a
set of line ranges (:class:`~app.imports.models.ImportBatch`) rather than one line number. Inline mode
(no threads) is used on SQLite, which has one writer anyway, and in tests that run inside one transaction.
"""

import queue
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, insert, select, update
from sqlalchemy.exc import DBAPIError

from app import pg, tenancy
from app.extensions import db
from app.imports.models import ImportBatch, ImportJob, ImportRowError
from app.imports.parsing import Batch, Row
from app.timeutil import utcnow

ATTEMPTS = 3
TRANSIENT = {"40P01", "40001"}  # deadlock detected, serialization failure: the batch is simply tried again


@dataclass(frozen=True)
class JobRef:
    """What a writer needs of its job: plain values, usable from any session or thread."""

    id: int
    agency_id: int
    file_name: str


@dataclass
class BatchCounts:
    total: int
    ok: int
    created: int = 0
    updated: int = 0


def count_batch(batch: Batch) -> BatchCounts:
    """Rows, valid rows, and of those how many create an account and how many match an existing one."""
    good = [r for r in batch.rows if r.data is not None]
    created = sum(1 for r in good if not r.known)
    ok = len(good) + batch.unchanged
    return BatchCounts(total=len(batch.rows) + batch.unchanged, ok=ok, created=created, updated=ok - created)


Applier = Callable[[JobRef, list[Row], object], None]  # upserts valid rows in the caller's transaction


class LineRanges:
    """The line ranges of a job's committed batches: what a resumed run skips."""

    def __init__(self, job_id: int):
        stmt = select(ImportBatch.first_line, ImportBatch.last_line).where(ImportBatch.job_id == job_id)
        ranges = sorted(db.session.execute(stmt).all())
        self.firsts = [first for first, _ in ranges]
        self.lasts = [last for _, last in ranges]

    def __len__(self) -> int:
        return len(self.firsts)

    def covers(self, line_no: int) -> bool:
        at = bisect_right(self.firsts, line_no) - 1
        return at >= 0 and line_no <= self.lasts[at]


def write_batch(job: JobRef, batch: Batch, encrypt, apply: Applier) -> None:
    """In one transaction (retried on a deadlock): the batch's rejected rows, ``apply`` of its valid rows
    (the unchanged ones are not among them), and the checkpoint with the counts."""
    work = [r for r in batch.rows if r.data is not None]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            record_row_errors(job.id, [r for r in batch.rows if r.data is None])
            if work:
                apply(job, work, encrypt)
            _checkpoint(job, batch, count_batch(batch))
            db.session.commit()
            return
        except DBAPIError as exc:
            db.session.rollback()
            if attempt == ATTEMPTS or getattr(exc.orig, "pgcode", None) not in TRANSIENT:
                raise


def _checkpoint(job: JobRef, batch: Batch, counts: BatchCounts) -> None:
    last = batch.last_line
    db.session.execute(
        insert(ImportBatch).values(job_id=job.id, first_line=batch.first_line, last_line=last, committed_at=utcnow())
    )
    progress = {
        "total": ImportJob.total + counts.total,
        "ok": ImportJob.ok + counts.ok,
        "created": ImportJob.created + counts.created,
        "updated": ImportJob.updated + counts.updated,
        "errors": ImportJob.errors + (counts.total - counts.ok),
        "lines_done": case((ImportJob.lines_done < last, last), else_=ImportJob.lines_done),
    }
    stmt = update(ImportJob).where(ImportJob.id == job.id).values(progress)
    db.session.execute(stmt.execution_options(synchronize_session=False))


def writer_count() -> int:
    """Writer threads for this database: PostgreSQL only (SQLite has one writer); 0 means inline."""
    return current_app.config.get("IMPORT_WRITERS", 2) if pg.active(db.engine) else 0


def uses_threads() -> bool:
    return writer_count() > 0


@contextmanager
def batch_writer(job: JobRef, apply: Applier, encrypt, independent: bool) -> Iterator[Callable[[Batch], None]]:
    """Yield ``submit(batch)``; every submitted batch is committed when the block exits without error.

    ``independent``: the batches may commit in any order (several writers); otherwise one writer thread
    applies them in file order.
    """
    count = writer_count() if independent else min(writer_count(), 1)
    if count < 1:
        yield lambda batch: write_batch(job, batch, encrypt, apply)
        return
    pool = _WriterThreads(job, apply, encrypt, count)
    try:
        yield pool.submit
    finally:
        pool.close()
    pool.raise_error()


class _WriterThreads:
    """Writer threads fed through a short queue, so at most a few batches wait in memory."""

    def __init__(self, job: JobRef, apply: Applier, encrypt, count: int):
        self.job, self.apply, self.encrypt = job, apply, encrypt
        self.app = current_app._get_current_object()
        self.queue: queue.Queue = queue.Queue(maxsize=count)
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, name=f"import-writer-{i}") for i in range(count)]
        for thread in self.threads:
            thread.start()

    def submit(self, batch: Batch) -> None:
        self.raise_error()
        self.queue.put(batch)

    def _run(self) -> None:
        with self.app.app_context():
            tenancy.scope(self.job.agency_id)
            while (batch := self.queue.get()) is not None:
                if self.errors:
                    continue  # drain: a batch failed, the run stops and is resumed later
                try:
                    write_batch(self.job, batch, self.encrypt, self.apply)
                except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
                    self.errors.append(exc)

    def close(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()

    def raise_error(self) -> None:
        if self.errors:
            raise self.errors[0]


def record_row_errors(job_id: int, rows: list[Row]) -> None:
    """One ImportRowError per broken rule of each bad row."""
    params = [
        {"job_id": job_id, "line_no": r.line_no, "column": col, "message": msg, "external_ref": r.ref}
        for r in rows
        for col, msg in r.errors
    ]
    if params:
        db.session.execute(insert(ImportRowError), params)
