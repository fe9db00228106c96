"""Each event is written by the service where its rule lives, in the same transaction, with ids and amounts."""

import json
import uuid

from app.accounts import services as accounts
from app.imports.services import receive, run
from app.payments.services import refunds
from app.webhooks import services
from tests import factories as f
from tests.payments.helpers import pay

CSV = "external_ref,debtor_name,original_amount,debtor_email,due_date,creditor_name\n"


def events_received(receiver) -> list[tuple[str, dict]]:
    return sorted((r.json["type"], r.json["data"]) for r in receiver.requests)


def test_payment_completed_and_refunded(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe(events=["payment.completed", "payment.refunded"])
    payment = pay(assigned_account, "100.00", admin)
    refund = refunds.refund_payment(payment.id, "40.00", "bounced", uuid.uuid4().hex, actor=admin)
    run_worker()
    common = {"payment_id": payment.id, "account_id": assigned_account.id, "currency": "USD"}
    assert events_received(receiver) == [
        ("payment.completed", {**common, "amount": "100.00", "method": "check"}),
        ("payment.refunded", {**common, "amount": "40.00", "refund_id": refund.id, "status": "partially_refunded"}),
    ]


def test_assignment_announces_the_collector_and_the_status(admin, account, collector, subscribe, receiver, run_worker):
    subscribe(events=["account.assigned", "account.status_changed"])
    accounts.assign_collector(account.id, collector.id, actor=admin)
    run_worker()
    assert events_received(receiver) == [
        ("account.assigned", {"account_id": account.id, "collector_id": collector.id, "previous_collector_id": None}),
        ("account.status_changed", {"account_id": account.id, "old_status": "new", "new_status": "assigned"}),
    ]


def test_an_import_announces_its_new_accounts_once(agency, admin, subscribe, receiver, run_worker, tmp_path):
    subscribe(events=["account.created", "import.completed"])
    path = tmp_path / "two.csv"
    path.write_text(CSV + "W1,Ann Lee,100.00,ann@example.com,2026-01-31,Acme\nW2,Bo Ray,50.00,,2026-01-31,Acme\n")
    job = receive.receive_path(agency.id, path, actor=admin)
    run.run_import(job.id)
    run_worker()
    counts = {"total": 2, "created": 2, "updated": 0, "errors": 0}
    assert events_received(receiver) == [
        ("account.created", {"import_job_id": job.id, "count": 2}),
        ("import.completed", {"import_job_id": job.id, "status": "completed", **counts}),
    ]


def test_only_subscribed_events_reach_active_endpoints(admin, assigned_account, subscribe, receiver, run_worker):
    subscribe(events=["payment.completed"])
    disabled = subscribe(events=["account.status_changed"]).endpoint
    services.update_endpoint(
        disabled.id, {"url": disabled.url, "events": disabled.events, "active": False}, actor=admin
    )
    accounts.change_status(assigned_account.id, "in_contact", actor=admin)
    run_worker()
    assert receiver.requests == []


def test_another_agencys_change_is_not_sent(foreign, subscribe, receiver, run_worker):
    subscribe()
    accounts.change_status(foreign.account.id, "negotiating", actor=foreign.admin)
    run_worker()
    assert receiver.requests == []


def test_no_endpoint_writes_no_delivery(admin, assigned_account, receiver, run_worker):
    f.walk_to(assigned_account, f.Status.IN_CONTACT, admin=admin, collector=None)
    run_worker()
    assert receiver.requests == []


def test_a_bulk_distribution_announces_each_account_like_a_single_assignment(
    admin, agency, subscribe, receiver, run_worker
):
    from app.bulk import services as bulk
    from app.bulk.selection import Selection
    from tests.bulk.helpers import collectors, new_accounts

    subscribe(events=["account.assigned", "account.status_changed"])
    (cora,) = collectors(agency, 5)
    first, second = new_accounts(agency, 2)
    params = {"collector_ids": [cora.id], "mode": "round_robin"}
    bulk.submit_operation("assign", Selection(ids=(first.id, second.id)), params, actor=admin)
    run_worker()
    received = sorted(json.dumps(r.json["data"] | {"type": r.json["type"]}, sort_keys=True) for r in receiver.requests)
    assigned = [{"account_id": a.id, "collector_id": cora.id, "previous_collector_id": None} for a in (first, second)]
    moved = [{"account_id": a.id, "old_status": "new", "new_status": "assigned"} for a in (first, second)]
    expected = [d | {"type": "account.assigned"} for d in assigned] + [
        d | {"type": "account.status_changed"} for d in moved
    ]
    assert received == sorted(json.dumps(d, sort_keys=True) for d in expected)
