"""With Redis unreachable (a closed port): probes say so, pages render, uploads wait, and the sweep enqueues them
once Redis is back."""

import io
from datetime import timedelta

from app.extensions import db
from app.imports.models import ImportJob, JobStatus
from app.imports.services import recovery
from app.timeutil import utcnow
from tests.imports.sftp_server import free_port

CSV = "external_ref,debtor_name,original_amount\nQ1,Ann Lee,10.00\nQ2,Bob Roe,20.00\n"


def upload(web, text: str = CSV):
    data = {"csrf_token": web.csrf(), "file": (io.BytesIO(text.encode()), "later.csv")}
    return web.client.post("/imports/upload", data=data, content_type="multipart/form-data")


def upload_while_redis_is_down(app, web) -> None:
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    try:
        upload(web)
    finally:
        app.config["REDIS_URL"] = saved


def the_job(admin) -> ImportJob:
    """The admin's agency's one import job (on PostgreSQL other tests' committed jobs share the table)."""
    return db.session.query(ImportJob).filter_by(agency_id=admin.agency_id).one()


def recorded_minutes_ago(job: ImportJob, minutes: int) -> None:
    job.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def test_ready_answers_503_naming_redis(client, redis_down):
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json["redis"] == "down" and response.json["down"] == "redis"
    assert response.json["database"] == "up" and response.json["stripe_circuit"] == "unknown"


def test_ready_reports_redis_up_when_it_answers(app, client):
    body = client.get("/ready").json
    assert body["status"] == "ok"
    assert body.get("redis") == ("up" if app.config["REDIS_URL"] else None)


def test_payments_list_renders_with_the_breaker_state_unknown(login, admin, redis_down):
    response = login(admin).get("/payments/")
    assert response.status_code == 200
    assert 'Card processor circuit: <span class="badge">Unknown</span>' in response.get_data(as_text=True)


def test_an_upload_is_stored_and_waits_queued(login, admin, redis_down):
    response = upload(login(admin))
    assert response.status_code == 303
    job = the_job(admin)
    assert (job.status, job.rq_job_id, job.total) == (JobStatus.QUEUED, None, 0)
    assert job.size_bytes == len(CSV)


def test_the_sweep_enqueues_the_waiting_upload_once_redis_is_back(app, login, admin, run_worker):
    upload_while_redis_is_down(app, login(admin))
    job = the_job(admin)
    assert job.id not in recovery.sweep_import_jobs().enqueued  # just recorded: its receiver may still enqueue it
    recorded_minutes_ago(job, 2)
    assert job.id in recovery.sweep_import_jobs().enqueued
    assert job.id not in recovery.sweep_import_jobs().enqueued  # it waits in RQ now: not enqueued twice
    run_worker()
    db.session.refresh(job)
    assert (job.status, job.created, job.attempts) == (JobStatus.COMPLETED, 2, 1)


def test_the_cron_sweep_job_runs_the_waiting_upload(app, login, admin, run_worker):
    from app import queue

    upload_while_redis_is_down(app, login(admin))
    job = the_job(admin)
    recorded_minutes_ago(job, 2)
    queue.enqueue("jobs.imports.sweep_import_jobs", queue="default")
    run_worker()  # the sweep, then the import it enqueued
    db.session.refresh(job)
    assert job.status == JobStatus.COMPLETED and job.rq_job_id


def test_flask_jobs_sweep_says_redis_is_unreachable(app, admin, login, redis_down):
    upload(login(admin))
    recorded_minutes_ago(the_job(admin), 2)
    result = app.test_cli_runner().invoke(args=["jobs", "sweep"])
    assert result.exit_code == 1 and "Redis is unreachable" in result.output
    assert the_job(admin).status == JobStatus.QUEUED


def test_flask_jobs_sweep_reports_what_it_enqueued(app, login, admin):
    upload_while_redis_is_down(app, login(admin))
    recorded_minutes_ago(the_job(admin), 2)
    result = app.test_cli_runner().invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0 and "queued job(s) enqueued" in result.output
    assert "0 queued" not in result.output and the_job(admin).rq_job_id


def test_check_now_answers_503_and_records_nothing(tmp_path, login, admin, redis_down):
    from app.audit.models import AuditEvent
    from app.imports.models import ImportSource, SourceKind

    source = ImportSource(agency_id=admin.agency_id, name="Drop", kind=SourceKind.LOCAL, remote_dir=str(tmp_path))
    db.session.add(source)
    db.session.commit()
    response = login(admin).post(f"/imports/sources/{source.id}/check", htmx=True)
    assert response.status_code == 503 and "job queue is unreachable" in response.get_data(as_text=True)
    assert db.session.query(AuditEvent).filter_by(action="import_source.check_now").count() == 0
