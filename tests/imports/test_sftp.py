"""SFTP polling against a real server on loopback: listing, download, move, partial files, host keys, retries."""

import threading
import time

import asyncssh
import pytest
from sqlalchemy import select

from app.accounts.models import Account
from app.imports import sftp
from app.imports.models import ImportJob, ImportSource, JobStatus, SourceKind
from app.imports.services import polling, sources
from tests.imports.sftp_server import PASSWORD, USERNAME, SftpTestServer, free_port

CSV = "external_ref,debtor_name,original_amount\nS1,Ann,10\nS2,Bob,20\nS3,Cy,bad\n"


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "sftp"
    (root / "upload").mkdir(parents=True)
    srv = SftpTestServer(root).start()
    yield srv
    srv.stop()


def _source(agency, server, db, **overrides) -> ImportSource:
    source = ImportSource(
        agency_id=agency.id, name="Creditor drop", kind=SourceKind.SFTP, host="127.0.0.1", port=server.port,
        username=USERNAME, host_key=server.host_key, remote_dir="/upload", processed_dir="/upload/processed",
    )  # fmt: skip
    source.password = PASSWORD
    for key, value in overrides.items():
        setattr(source, key, value)
    db.session.add(source)
    db.session.commit()
    return source


def test_poll_fetches_imports_and_moves_finished_files(server, agency, db):
    upload = server.root / "upload"
    (upload / "portfolio.csv").write_text(CSV)
    (upload / "next.csv.part").write_text(CSV)
    (upload / "notes.txt").write_text("hello")
    source = _source(agency, server, db)
    jobs = polling.poll_source(source.id)
    assert [j.file_name for j in jobs] == ["portfolio.csv"]
    db.session.refresh(jobs[0])
    assert (jobs[0].status, jobs[0].created, jobs[0].errors) == (JobStatus.COMPLETED_WITH_ERRORS, 2, 1)
    assert jobs[0].trigger == "source Creditor drop"
    assert sorted(p.name for p in upload.iterdir()) == ["next.csv.part", "notes.txt", "processed"]
    assert (upload / "processed" / "portfolio.csv").read_text() == CSV
    assert db.session.get(ImportSource, source.id).last_poll_result == "OK: 1 new file(s)."
    refs = db.session.scalars(select(Account.external_ref).where(Account.agency_id == agency.id)).all()
    assert sorted(refs) == ["S1", "S2"]


def test_same_file_dropped_again_is_a_duplicate(server, agency, db):
    source = _source(agency, server, db)
    (server.root / "upload" / "a.csv").write_text(CSV)
    polling.poll_source(source.id)
    (server.root / "upload" / "a.csv").write_text(CSV)
    jobs = polling.poll_source(source.id)
    assert jobs[0].status == JobStatus.DUPLICATE
    assert sorted(p.name for p in (server.root / "upload" / "processed").iterdir())[1] == "a.csv"
    assert db.session.query(ImportJob).filter_by(status=JobStatus.DUPLICATE).count() == 1


def test_overlapping_poll_takes_nothing(server, agency, db):
    from datetime import timedelta

    from app.timeutil import utcnow

    source = _source(agency, server, db, poll_lease_until=utcnow() + timedelta(minutes=5))
    (server.root / "upload" / "a.csv").write_text(CSV)
    assert polling.poll_source(source.id) == []
    assert (server.root / "upload" / "a.csv").exists()


def test_changed_host_key_is_refused(server, agency, db):
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    source = _source(agency, server, db, host_key=other)
    ok, message = sources.test_connection(source)
    assert not ok and "differs from the pinned one; refused" in message
    (server.root / "upload" / "a.csv").write_text(CSV)
    assert polling.poll_source(source.id) == []
    assert "refused" in db.session.get(ImportSource, source.id).last_poll_result
    assert (server.root / "upload" / "a.csv").exists()


def test_unpinned_host_key_is_refused(server):
    settings = sftp.SftpSettings("127.0.0.1", server.port, USERNAME, PASSWORD, None, "", "/upload", "/p")
    with pytest.raises(sftp.HostKeyRefused):
        sftp.connect_with_retries(settings)


def test_wrong_password_is_reported(server, agency, db):
    source = _source(agency, server, db)
    source.password = "wrong"
    ok, message = sources.test_connection(source)
    assert not ok and "authentication failed" in message


def test_test_connection_reports_waiting_files(server, agency, db):
    (server.root / "upload" / "a.csv").write_text(CSV)
    ok, message = sources.test_connection(_source(agency, server, db))
    assert ok and "1 file(s) matching *.csv waiting in /upload" in message


def test_connection_failure_is_retried_with_backoff(tmp_path):
    """The server only starts listening 0.3 s in: the first attempts are refused, a later retry succeeds."""
    (tmp_path / "upload").mkdir()
    port = free_port()
    late = SftpTestServer(tmp_path, port=port)
    timer = threading.Timer(0.3, late.start)
    timer.start()
    settings = sftp.SftpSettings("127.0.0.1", port, USERNAME, PASSWORD, None, late.host_key, "/upload", "/p",
                                 retries=6, backoff=0.1)  # fmt: skip
    try:
        started = time.monotonic()
        with sftp.SftpFolder(settings) as folder:
            assert folder.list_files() == []
        assert time.monotonic() - started >= 0.25
    finally:
        timer.join()
        late.stop()


def test_unreachable_server_gives_up_with_a_clear_message():
    settings = sftp.SftpSettings("127.0.0.1", free_port(), "u", "p", None, "", "/upload", "/p", retries=2, backoff=0.01)
    with pytest.raises(sftp.RemoteError, match="Cannot connect to 127.0.0.1"):
        sftp.connect_with_retries(settings)


def test_check_now_button_polls_and_imports(server, login, admin, db):
    source = _source(admin.agency, server, db)
    (server.root / "upload" / "a.csv").write_text(CSV)
    response = login(admin).post(f"/imports/sources/{source.id}/check")
    assert response.status_code == 303
    job = db.session.query(ImportJob).one()
    assert job.file_name == "a.csv" and job.created == 2


def test_test_connection_button_shows_the_result(server, login, admin, db):
    source = _source(admin.agency, server, db)
    body = login(admin).post(f"/imports/sources/{source.id}/test", htmx=True).get_data(as_text=True)
    assert "Connected." in body and "<html" not in body


def test_source_form_saves_encrypted_secrets_and_requires_a_pinned_key(server, login, admin, db):
    web = login(admin)
    values = {"name": "Bank drop", "kind": "sftp", "host": "127.0.0.1", "port": server.port, "username": USERNAME,
              "password": PASSWORD, "remote_dir": "/upload", "processed_dir": "/upload/processed", "pattern": "*.csv",
              "poll_interval_minutes": 15, "enabled": "y"}  # fmt: skip
    response = web.post("/imports/sources/new", values)
    assert response.status_code == 422 and "Pin the server" in response.get_data(as_text=True)
    response = web.post("/imports/sources/new", {**values, "host_key": server.host_key})
    assert response.status_code == 303
    source = db.session.query(ImportSource).one()
    assert source.password == PASSWORD and PASSWORD not in (source.password_encrypted or "")


def test_other_agencys_source_is_404(server, login, admin, foreign, db):
    source = _source(foreign.agency, server, db)
    web = login(admin)
    assert web.get(f"/imports/sources/{source.id}").status_code == 404
    assert web.post(f"/imports/sources/{source.id}/check").status_code == 404


def test_rq_cron_config_registers_the_poll_and_the_reconciliation(app):
    import runpy
    from pathlib import Path

    from rq import cron

    runpy.run_path(str(Path(__file__).resolve().parents[2] / "jobs" / "cron.py"))
    jobs = cron._job_data_registry
    assert any(job["name"] == "poll-import-sources" and job["interval"] == 60 for job in jobs)
    assert any(job.get("cron") == "7 * * * *" for job in jobs)


def test_due_sources_are_polled_after_their_interval(server, agency, db):
    from datetime import timedelta

    from app.timeutil import utcnow

    (server.root / "upload" / "a.csv").write_text(CSV)
    source = _source(agency, server, db, last_polled_at=utcnow() - timedelta(minutes=5))
    assert polling.queue_due_polls() == 0
    source.last_polled_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert polling.queue_due_polls() == 1
    assert db.session.query(ImportJob).count() == 1
