"""jobs/context.py: in a worker process a job builds the app from the environment; in the web app it reuses it.

The process test uses a database of its own (another process cannot see a test's uncommitted transaction).
With the test Redis it runs ``rq worker --burst imports`` as a deployment does. Without one it calls the job
function in a plain process: fakeredis cannot be shared with another process (its TCP server answers
``CLIENT INFO`` in a form redis-py cannot parse), and the in-process tests already run every job through RQ.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

from flask import current_app
from flask_migrate import upgrade
from rq.job import JobStatus as RqStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import config as settings
from app import create_app, queue
from app.accounts.models import Account
from app.agencies.models import Agency
from app.extensions import db
from app.imports import storage
from app.imports.models import ImportJob, JobStatus
from jobs.context import app_context
from tests.conftest import own_database
from tests.jobs.conftest import rq_job

ROOT = Path(__file__).resolve().parents[2]
CSV = b"external_ref,debtor_name,original_amount,creditor_name\nW1,Ann Lee,100.00,Acme\nW2,Bob Roe,20.00,Acme\n"


def test_a_job_inside_the_app_uses_the_app_it_runs_in(app):
    with app_context():
        assert current_app._get_current_object() is app


def record_an_import(config: dict, csv: bytes = CSV) -> int:
    """In an app of the worker's database: migrate, then record an agency and a received file."""
    with create_app(config).app_context():
        upgrade()
        with Session(db.engine) as session:
            agency = Agency(name="Worker Agency", slug="worker-agency")
            session.add(agency)
            session.flush()
            sha, size, path = storage.store_stream(agency.id, io.BytesIO(csv))
            job = ImportJob(agency_id=agency.id, file_name="w.csv", sha256=sha, size_bytes=size, stored_path=str(path))
            session.add(job)
            session.commit()
            return job.id


def worker_environment(config: dict, database_url: str) -> dict:
    """The production settings a worker is started with (no TEST_* variables: it is not the suite)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=config["REDIS_URL"] or "redis://127.0.0.1:9/0",  # required in production; unused without RQ
        SECRET_KEY=config["SECRET_KEY"],
        DEBTFLOW_ENCRYPTION_KEYS=config["ENCRYPTION_KEYS"][0],
        DEBTFLOW_AUDIT_KEY=config["AUDIT_KEY"],
        DEBTFLOW_METRICS_TOKEN="worker-test-metrics-token",
        IMPORT_STORAGE_DIR=config["IMPORT_STORAGE_DIR"],
    )
    return env


def run_in_worker_process(config: dict, database_url: str, job_id: int) -> str | None:
    """Run import ``job_id`` in another process with the production settings; returns its RQ id, if any."""
    env, rq_id = worker_environment(config, database_url), None
    if config["REDIS_URL"]:
        with create_app(config).app_context():
            rq_id = queue.enqueue("jobs.imports.run_import", job_id, queue="imports", description="import")
        command = [
            str(Path(sys.executable).parent / "rq"),
            "worker",
            "--burst",
            "--url",
            config["REDIS_URL"],
            "imports",
        ]
    else:
        command = [sys.executable, "-c", f"from jobs.imports import run_import; run_import({job_id})"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    return rq_id


def test_a_worker_process_runs_an_import_in_the_app_it_builds(tmp_path):
    with own_database(tmp_path, "worker") as database_url:
        config = settings.test_config(database_url) | {"IMPORT_STORAGE_DIR": str(tmp_path / "store")}
        config.update(REDIS_URL=os.environ.get("TEST_REDIS_URL", ""), JOBS_SYNC=False)
        job_id = record_an_import(config)
        rq_id = run_in_worker_process(config, database_url, job_id)
        with create_app(config).app_context():
            with Session(db.engine) as session:
                job = session.get(ImportJob, job_id)
                assert (job.status, job.created, job.errors) == (JobStatus.COMPLETED, 2, 0)
                refs = session.scalars(select(Account.external_ref).order_by(Account.external_ref)).all()
                assert refs == ["W1", "W2"]
            if rq_id:
                assert rq_job(rq_id).get_status() == RqStatus.FINISHED
            db.engine.dispose()  # the database is dropped next; no pooled connection may hold it
