"""Crash safety: a worker killed (SIGKILL) mid-file, then the job run again, equals one clean import."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from tests.conftest import own_database

ROOT = Path(__file__).resolve().parents[2]
ROWS = 4000
ACCOUNTS_SQL = (
    "SELECT a.external_ref, a.original_amount, a.current_balance, a.status, a.search_text, d.full_name, d.debtor_ref "
    "FROM accounts a JOIN debtors d ON d.id = a.debtor_id WHERE a.agency_id = :ag ORDER BY a.external_ref"
)
JOB_SQL = "SELECT id, status, total, ok, created, updated, errors FROM import_jobs WHERE agency_id = :ag"
ERRORS_SQL = 'SELECT line_no, "column", message FROM import_row_errors WHERE job_id = :j ORDER BY line_no'


@pytest.fixture
def crash_db(tmp_path):
    """A database of its own: the child processes commit for real, outside the per-test rollback."""
    with own_database(tmp_path, "crash") as url:
        yield url


def _env(url: str, tmp_path: Path) -> dict:
    return {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": url, "SECRET_KEY": "test", "REDIS_URL": "redis://unused",
            "DEBTFLOW_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "IMPORT_STORAGE_DIR": str(tmp_path / "store"),
            "DEBTFLOW_AUDIT_KEY": "test-audit-key", "IMPORT_BATCH_SIZE": "100", "IMPORT_WRITERS": "2",
            "DEBTFLOW_METRICS_TOKEN": "test-metrics-token"}  # fmt: skip


def _flask(env: dict, *args: str, **kw):
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", *args], env=env, cwd=ROOT, capture_output=True, text=True, **kw
    )


def _portfolio(path: Path, shared_debtors: bool, rows: int = ROWS) -> None:
    """With a debtor_ref column lines share debtors (one writer, file order); without, batches are
    independent and PostgreSQL applies them with parallel writers."""
    header = "external_ref,debtor_name,original_amount,debtor_ssn_last4,debtor_email"
    lines = [header + (",debtor_ref" * shared_debtors)]
    for i in range(rows):
        amount = "bad" if i % 97 == 0 else f"{10 + i}.50"
        ref = f",{'D' + str(i // 3) if i % 2 else ''}" if shared_debtors else ""
        lines.append(f"C{i:05d},Name {i},{amount},{i % 10000:04d},n{i}@example.com{ref}")
    path.write_text("\n".join(lines) + "\n")


def _snapshot(engine, slug: str) -> dict:
    with engine.connect() as conn:
        ag = conn.execute(text("SELECT id FROM agencies WHERE slug = :s"), {"s": slug}).scalar_one()
        accounts = conn.execute(text(ACCOUNTS_SQL), {"ag": ag}).all()
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t} WHERE agency_id = :ag"), {"ag": ag}).scalar_one()  # noqa: S608
                  for t in ("accounts", "debtors", "activities")}  # fmt: skip
        job = conn.execute(text(JOB_SQL), {"ag": ag}).one()
        errors = conn.execute(text(ERRORS_SQL), {"j": job.id}).all()
    return {"accounts": [tuple(r) for r in accounts], "counts": counts, "job": tuple(job)[1:], "errors": errors}


def _kill_mid_file(env: dict, engine, path: Path) -> int:
    command = [sys.executable, "-m", "flask", "imports", "run-file", "--agency", "victim", str(path)]
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            done = conn.execute(text("SELECT lines_done FROM import_jobs")).scalar()
        if done and done > 500:
            break
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with engine.connect() as conn:
        job_id, status, done = conn.execute(text("SELECT id, status, lines_done FROM import_jobs")).one()
    assert status == "running" and 0 < done < ROWS, "the kill must land mid-file"
    return job_id


@pytest.mark.parametrize("shared_debtors", [True, False], ids=["one-writer", "parallel-writers"])
def test_kill_9_mid_file_then_rerun_equals_one_clean_import(crash_db, tmp_path, shared_debtors):
    env = _env(crash_db, tmp_path)
    assert _flask(env, "db", "upgrade").returncode == 0
    engine = create_engine(crash_db)
    with engine.begin() as conn:
        for slug in ("victim", "control"):
            conn.execute(text("INSERT INTO agencies (name, slug, timezone, currency, created_at) "
                              "VALUES (:s, :s, 'UTC', 'USD', CURRENT_TIMESTAMP)"), {"s": slug})  # fmt: skip
    path = tmp_path / "portfolio.csv"
    _portfolio(path, shared_debtors)
    job_id = _kill_mid_file(env, engine, path)
    rerun = _flask(env, "imports", "rerun", str(job_id))
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming" in json.dumps(_history(engine, job_id))
    clean = _flask({**env, "IMPORT_WRITERS": "0"}, "imports", "run-file", "--agency", "control", str(path))
    assert clean.returncode == 0, clean.stderr
    victim, control = _snapshot(engine, "victim"), _snapshot(engine, "control")
    assert victim == control
    bad = len(range(0, ROWS, 97))
    assert victim["job"] == ("completed_with_errors", ROWS, ROWS - bad, ROWS - bad, 0, bad)
    assert victim["counts"]["accounts"] == ROWS - bad
    engine.dispose()


def _history(engine, job_id: int) -> list:
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT history FROM import_jobs WHERE id = :j"), {"j": job_id}).scalar_one()
    return json.loads(raw) if isinstance(raw, str) else raw


RECEIVE = """
import sys
from pathlib import Path
from app import create_app
from app.agencies.models import Agency
from app.extensions import db
from app.imports.services import receive
with create_app().app_context():
    agency = db.session.query(Agency).filter_by(slug="victim").one()
    print(receive.receive_path(agency.id, Path(sys.argv[1])).id)
"""


def test_one_job_run_twice_at_once_is_applied_once(crash_db, tmp_path):
    """A second worker handed a job that is running: the agency lock makes it wait, then find it finished."""
    env, rows = _env(crash_db, tmp_path), 4 * ROWS
    assert _flask(env, "db", "upgrade").returncode == 0
    engine = create_engine(crash_db)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agencies (name, slug, timezone, currency, created_at) "
                          "VALUES ('victim', 'victim', 'UTC', 'USD', CURRENT_TIMESTAMP)"))  # fmt: skip
    path = tmp_path / "portfolio.csv"
    _portfolio(path, shared_debtors=False, rows=rows)
    received = subprocess.run([sys.executable, "-c", RECEIVE, str(path)], env=env, cwd=ROOT,  # noqa: S603
                              capture_output=True, text=True, check=True)  # fmt: skip
    job_id = received.stdout.strip().splitlines()[-1]
    first = _rerun(env, job_id)
    _wait_until_running(engine)
    second = _rerun(env, job_id)
    outputs = [run.communicate(timeout=300) for run in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    snapshot, bad = _snapshot(engine, "victim"), len(range(0, rows, 97))
    assert snapshot["job"] == ("completed_with_errors", rows, rows - bad, rows - bad, 0, bad)
    assert snapshot["counts"]["accounts"] == snapshot["counts"]["activities"] == rows - bad
    assert len(snapshot["errors"]) == bad
    history = json.dumps(_history(engine, int(job_id)))
    assert history.count("Attempt 1 started.") == 1 and "Attempt 2" not in history
    engine.dispose()


def _rerun(env: dict, job_id: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "imports", "rerun", job_id]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


def _wait_until_running(engine) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            done = conn.execute(text("SELECT lines_done FROM import_jobs WHERE status = 'running'")).scalar()
        if done:
            return
        time.sleep(0.02)
    raise AssertionError("the first run never started")
