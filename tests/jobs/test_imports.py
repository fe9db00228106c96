"""Import jobs (jobs/imports.py) queued by the services and run by a real RQ worker."""

import io
from pathlib import Path

from rq.job import JobStatus as RqStatus
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from app import queue
from app.accounts.models import Account
from app.extensions import db
from app.imports.models import ImportJob, ImportSource, JobStatus, SourceKind
from app.imports.services import receive, sources
from tests.jobs.conftest import rq_job

CSV = (
    "external_ref,debtor_name,original_amount,debtor_email,due_date,creditor_name\n"
    "J1,Ann Lee,100.00,ann@example.com,2026-01-31,Acme\n"
    "J2,Bob Roe,250.50,bob@example.com,2026-02-28,Acme\n"
    "J3,Cy Bad,not-money,cy@example.com,2026-02-28,Acme\n"
)


def queued_rq_ids() -> list[str]:
    return queue.get_queue("imports").get_job_ids()


def upload(agency, admin, text: str = CSV) -> ImportJob:
    return receive.receive_upload(agency.id, io.BytesIO(text.encode()), "accounts.csv", actor=admin)


def refs_of(agency) -> list[str]:
    stmt = select(Account.external_ref).where(Account.agency_id == agency.id).order_by(Account.external_ref)
    return list(db.session.scalars(stmt))


def test_an_upload_waits_on_the_imports_queue_until_a_worker_runs_it(agency, admin, run_worker):
    job = upload(agency, admin)
    [rq_id] = queued_rq_ids()
    assert rq_job(rq_id).get_status() == RqStatus.QUEUED and rq_job(rq_id).description == f"import #{job.id}"
    assert job.status == JobStatus.QUEUED and refs_of(agency) == []

    run_worker()

    db.session.refresh(job)
    assert job.status == JobStatus.COMPLETED_WITH_ERRORS and job.finished_at is not None
    assert (job.total, job.ok, job.created, job.updated, job.errors) == (3, 2, 2, 0, 1)
    assert refs_of(agency) == ["J1", "J2"]
    assert rq_job(rq_id).get_status() == RqStatus.FINISHED and queued_rq_ids() == []


def test_an_import_that_breaks_is_recorded_failed_in_its_row_and_in_rq(agency, admin, run_worker):
    job = upload(agency, admin)
    [rq_id] = queued_rq_ids()
    Path(job.stored_path).unlink()  # the stored file vanished before the worker got to it

    run_worker()

    db.session.refresh(job)
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.message.startswith("Unexpected error: FileNotFoundError")
    failed = rq_job(rq_id)
    assert failed.get_status() == RqStatus.FAILED and "FileNotFoundError" in failed.latest_result().exc_string
    assert rq_id in FailedJobRegistry("imports", connection=queue.redis_connection()).get_job_ids()


def local_source(agency, tmp_path, **values) -> ImportSource:
    """A local drop folder (the embedded demo's kind of source) with one file waiting."""
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "monthly.csv").write_text(CSV)
    source = ImportSource(
        agency_id=agency.id,
        name=values.pop("name", "Creditor drop"),
        kind=SourceKind.LOCAL,
        remote_dir=str(drop),
        processed_dir=str(drop / "processed"),
        **values,
    )
    db.session.add(source)
    db.session.commit()
    return source


def test_check_now_polls_the_source_and_the_worker_imports_what_it_fetched(agency, admin, tmp_path, run_worker):
    source = local_source(agency, tmp_path)
    rq_id = sources.check_now(source, actor=admin)
    assert rq_job(rq_id).func_name == "jobs.imports.poll_source" and rq_job(rq_id).args == (source.id,)

    run_worker()  # the poll queues the file's import, which the same burst runs

    db.session.refresh(source)
    assert source.last_poll_result == "OK: 1 new file(s)." and source.poll_lease_until is None
    assert (tmp_path / "drop" / "processed" / "monthly.csv").exists()
    job = db.session.scalars(select(ImportJob).where(ImportJob.source_id == source.id)).one()
    assert job.status == JobStatus.COMPLETED_WITH_ERRORS and (job.created, job.errors) == (2, 1)
    assert refs_of(agency) == ["J1", "J2"]
    assert rq_job(rq_id).get_status() == RqStatus.FINISHED and queued_rq_ids() == []
