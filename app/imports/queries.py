"""Reading import jobs, their rejected rows and import sources, always within the viewer's agency."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from app import pg
from app.accounts.models import Account
from app.auth.models import User
from app.csvcells import neutralise
from app.errors import NotFound
from app.extensions import db
from app.imports.models import ImportJob, ImportRowError, ImportSource, JobStatus
from app.paging import Page, paginate
from app.pg import imports as pg_imports
from app.timeutil import utcnow


def recent_jobs(agency_id: int, since: datetime) -> tuple:
    """The import jobs counted as the agency's recent files: created since ``since``, duplicates of earlier
    files left out (the dashboard's figure and the list it links to)."""
    return (ImportJob.agency_id == agency_id, ImportJob.created_at >= since, ImportJob.status != JobStatus.DUPLICATE)


def jobs_statement(viewer: User) -> Select:
    """The agency's import jobs (unordered), with their source and author loaded."""
    stmt = select(ImportJob).where(ImportJob.agency_id == viewer.agency_id)
    return stmt.options(joinedload(ImportJob.source), joinedload(ImportJob.triggered_by))


def list_jobs(viewer: User, page: int = 1, size: int = 25, days: int | None = None) -> Page:
    """The agency's import jobs, newest first; with ``days``, only the recent ones (``recent_jobs``)."""
    scope = recent_jobs(viewer.agency_id, utcnow() - timedelta(days=days)) if days else ()
    stmt = jobs_statement(viewer).where(*scope).order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
    return paginate(stmt, page, size)


def get_job(viewer: User, job_id: int) -> ImportJob:
    """One job of the viewer's agency; NotFound otherwise (another agency's job looks missing)."""
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if job is None or job.agency_id != viewer.agency_id:
        raise NotFound("No such import.")
    return job


def row_errors_statement(job: ImportJob) -> Select:
    """The job's rejected rows (unordered)."""
    return select(ImportRowError).where(ImportRowError.job_id == job.id)


def list_row_errors(job: ImportJob, page: int = 1, size: int = 50) -> Page:
    """A page of the job's rejected rows in file order."""
    return paginate(row_errors_statement(job).order_by(ImportRowError.line_no, ImportRowError.id), page, size)


def error_report_lines(job: ImportJob) -> Iterator[str]:
    """The job's rejected rows as CSV text, streamed (line, column, external_ref, message)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "column", "external_ref", "message"])
    stmt = select(ImportRowError).where(ImportRowError.job_id == job.id).order_by(ImportRowError.line_no)
    for i, err in enumerate(db.session.scalars(stmt.execution_options(yield_per=2000))):
        writer.writerow([err.line_no, neutralise(err.column), neutralise(err.external_ref), neutralise(err.message)])
        if i % 1000 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def list_sources(viewer: User) -> list[ImportSource]:
    """The agency's import sources by name."""
    stmt = select(ImportSource).where(ImportSource.agency_id == viewer.agency_id).order_by(ImportSource.name)
    return list(db.session.scalars(stmt))


def get_source(viewer: User, source_id: int) -> ImportSource:
    """One source of the viewer's agency; NotFound otherwise."""
    source = db.session.get(ImportSource, source_id)
    if source is None or source.agency_id != viewer.agency_id:
        raise NotFound("No such import source.")
    return source


def fingerprints(agency_id: int, refs: list[str]) -> dict[str, str | None]:
    """For the refs that already have an account in the agency: the fingerprint of the row that last wrote it.

    On PostgreSQL through :func:`app.pg.imports.fingerprints` (the driver's cursor: a re-import asks this for
    every row of the file).
    """
    if not refs:
        return {}
    if pg.active():
        return pg_imports.fingerprints(agency_id, refs)
    table = Account.__table__
    match = table.c.external_ref.in_(bindparam("refs", expanding=True))
    stmt = select(table.c.external_ref, table.c.import_fingerprint).where(table.c.agency_id == agency_id, match)
    return dict(db.session.execute(stmt, {"refs": refs}).all())
