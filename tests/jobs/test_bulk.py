"""A bulk operation above the threshold runs as an RQ job, run here by a real worker, in committed batches."""

from app.bulk import services
from app.bulk.models import OperationStatus
from app.bulk.selection import Selection
from app.extensions import db
from tests.bulk.helpers import audit_events, collectors, new_accounts, open_count, owners
from tests.jobs.conftest import rq_job


def test_a_large_operation_is_queued_then_run_by_the_worker(app, admin, agency, login, run_worker, monkeypatch):
    monkeypatch.setitem(app.config, "BULK_BACKGROUND_THRESHOLD", 5)
    monkeypatch.setitem(app.config, "BULK_BATCH_SIZE", 4)
    cora, dan, eve = collectors(agency, 4, 4, 4)
    accounts = new_accounts(agency, 14)
    params = {"collector_ids": [cora.id, dan.id, eve.id], "mode": "capacity"}
    operation = services.submit_operation("assign", Selection(query="status=new"), params, actor=admin)
    assert operation.status == OperationStatus.QUEUED and operation.rq_job_id
    assert owners(accounts) == [None] * 14

    web = login(admin)
    page = web.get(f"/accounts/bulk/{operation.id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page  # refreshes with and without JS
    assert web.get("/accounts/").status_code == 200  # the list stays usable meanwhile

    run_worker()
    db.session.expire_all()
    assert rq_job(operation.rq_job_id).get_status() == "finished"
    assert operation.status == OperationStatus.DONE and operation.processed == 14
    assert operation.message == "12 assigned, 2 left unassigned: every chosen collector is full."
    assert [open_count(c) for c in (cora, dan, eve)] == [4, 4, 4]
    assert len(audit_events("accounts.bulk_assign", agency)) == 1
    assert "every 2s" not in web.get(f"/accounts/bulk/{operation.id}").get_data(as_text=True)


def test_a_small_operation_runs_at_once_without_a_job(app, admin, agency, monkeypatch):
    monkeypatch.setitem(app.config, "BULK_BACKGROUND_THRESHOLD", 5)
    accounts = new_accounts(agency, 5)
    operation = services.submit_operation(
        "priority", Selection(ids=tuple(a.id for a in accounts)), {"priority": 0}, actor=admin
    )
    assert operation.status == OperationStatus.DONE and operation.rq_job_id is None
