"""A worker killed with SIGKILL mid-import: the sweep finds the job running with its run dead, enqueues it again,
and it resumes after its committed batches to the same end state as one clean import.

With the test Redis, a real ``rq worker`` runs the import and is killed (its work-horse alone, or the whole
worker with its horse). Without one (fakeredis cannot be shared between processes), a plain process running
the job function is killed, and the sweep's run happens in the test process.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from app import config as settings
from app import create_app
from app.accounts.models import Account
from app.extensions import db
from app.imports.models import ImportBatch, ImportJob, JobStatus
from app.imports.services import receive, recovery
from tests.conftest import own_database
from tests.jobs.test_worker_process import ROOT, record_an_import, worker_environment

ROWS = 20_000
CSV = "external_ref,debtor_name,original_amount\n" + "".join(
    f"K{n},Debtor {n},{n % 900 + 10}.00\n" for n in range(ROWS)
)
RQ = str(Path(sys.executable).parent / "rq")


@pytest.fixture
def worker_setup(tmp_path):
    """A database of its own with a recorded import of ROWS rows, and the settings of a worker for it."""
    with own_database(tmp_path, "killed") as database_url:
        config = settings.test_config(database_url) | {"IMPORT_STORAGE_DIR": str(tmp_path / "store")}
        config.update(REDIS_URL=os.environ.get("TEST_REDIS_URL", ""), JOBS_SYNC=not os.environ.get("TEST_REDIS_URL"))
        job_id = record_an_import(config, CSV.encode())
        env = worker_environment(config, database_url) | {"IMPORT_BATCH_SIZE": "50"}
        app = create_app(config)
        yield app, env, job_id
        with app.app_context():
            db.engine.dispose()  # the database is dropped next; no pooled connection may hold it


@contextmanager
def own_session(app) -> Iterator[None]:
    """The app's context with a session on its own database (the suite's ``db`` fixture points the global
    session at the suite's test transaction, which this database is not part of)."""
    with app.app_context():
        suite_session = db.session
        db.session = scoped_session(sessionmaker(bind=db.engine))
        try:
            yield
        finally:
            db.session.remove()
            db.session = suite_session


def start_worker(app, env: dict, job_id: int) -> subprocess.Popen:
    """The import running in another process: an ``rq worker`` given the job, or the job function itself."""
    if not app.config["REDIS_URL"]:
        command = [sys.executable, "-c", f"from jobs.imports import run_import; run_import({job_id})"]
        return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    with own_session(app):
        assert receive.enqueue_run(db.session.get(ImportJob, job_id))
    return rq_worker(app, env)


def rq_worker(app, env: dict) -> subprocess.Popen:
    """``rq worker imports`` as a deployment runs it, in a process group of its own (its horse included)."""
    command = [RQ, "worker", "--url", app.config["REDIS_URL"], "--logging_level", "WARNING", "imports"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def committed_batches(app, job_id: int) -> int:
    with app.app_context(), Session(db.engine) as session:
        return session.scalar(select(func.count()).where(ImportBatch.job_id == job_id))


def wait_for(condition, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def work_horse(worker: subprocess.Popen) -> int:
    """The child an ``rq worker`` forked to run the job."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    wait_for(lambda: children.read_text().split(), "the work-horse")
    return int(children.read_text().split()[0])


def kill_mid_import(app, worker: subprocess.Popen, job_id: int, whole_worker: bool) -> None:
    wait_for(lambda: committed_batches(app, job_id) >= 3, "committed batches")
    if app.config["REDIS_URL"]:
        os.kill(work_horse(worker), signal.SIGKILL)  # a session of its own: RQ's horse is not in the group
    if whole_worker or not app.config["REDIS_URL"]:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def sweep_until_resumed(app, job_id: int) -> None:
    """The sweep enqueues the job once its run's lock is gone (PostgreSQL notices a dead client within moments)."""

    def resumed() -> bool:
        with own_session(app):
            return recovery.sweep_import_jobs().resumed == [job_id]

    wait_for(resumed, "the sweep to resume the job", timeout=60)


def finished_job(app, job_id: int) -> tuple[ImportJob, int, int]:
    with app.app_context(), Session(db.engine) as session:
        job = session.get(ImportJob, job_id)
        accounts = session.scalar(select(func.count()).select_from(Account))
        refs = session.scalar(select(func.count(func.distinct(Account.external_ref))))
        session.expunge(job)
        return job, accounts, refs


def job_status(app, job_id: int) -> JobStatus:
    return finished_job(app, job_id)[0].status


@pytest.mark.parametrize("whole_worker", [False, True], ids=["work-horse", "whole-worker"])
def test_an_import_killed_mid_run_is_resumed_by_the_sweep(worker_setup, whole_worker):
    app, env, job_id = worker_setup
    worker = start_worker(app, env, job_id)
    try:
        kill_mid_import(app, worker, job_id, whole_worker)
        assert job_status(app, job_id) == JobStatus.RUNNING and committed_batches(app, job_id) < ROWS // 50
        sweep_until_resumed(app, job_id)
        if app.config["REDIS_URL"] and whole_worker:
            worker = rq_worker(app, env)  # restarted, as the orchestrator would
        wait_for(lambda: job_status(app, job_id) == JobStatus.COMPLETED, "the resumed import")
    finally:
        stop(worker)
    job, accounts, refs = finished_job(app, job_id)
    assert (job.total, job.created, job.errors, job.attempts) == (ROWS, ROWS, 0, 2)
    assert accounts == refs == ROWS
    assert any("was interrupted" in entry["text"] for entry in job.history)


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
