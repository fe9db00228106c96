"""Bulk assignment and changes: limits, distribution, the state machine, scoping, audit and timeline."""

import pytest
from sqlalchemy import select

from app.accounts.models import Account, Activity, ActivityKind
from app.accounts.states import Status
from app.bulk import services
from app.bulk.models import OperationStatus
from app.bulk.selection import Selection
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from tests import factories as f
from tests.bulk.helpers import audit_events, collectors, new_accounts, open_count, owners, timeline_count


def picked(accounts) -> Selection:
    return Selection(ids=tuple(a.id for a in accounts))


def distribute(admin, accounts_or_selection, people, mode="round_robin"):
    selection = accounts_or_selection if isinstance(accounts_or_selection, Selection) else picked(accounts_or_selection)
    params = {"collector_ids": [c.id for c in people], "mode": mode}
    return services.submit_operation("assign", selection, params, actor=admin)


def test_round_robin_skips_full_collectors_and_reports_what_did_not_fit(admin, agency):
    cora, dan, eve = collectors(agency, 2, 5, 1)
    f.walk_to(f.AccountFactory(agency=agency), Status.ASSIGNED, admin=admin, collector=eve)  # eve is full
    accounts = new_accounts(agency, 10)
    operation = distribute(admin, accounts, [cora, dan, eve])
    assert owners(accounts) == [cora.id, dan.id, cora.id, dan.id, dan.id, dan.id, dan.id, None, None, None]
    assert [open_count(c) for c in (cora, dan, eve)] == [2, 5, 1]
    assert operation.status == OperationStatus.DONE
    assert operation.message == "7 assigned, 3 left unassigned: every chosen collector is full."


def test_capacity_mode_fills_the_emptier_collector_first(admin, agency):
    cora, dan = collectors(agency, 4, 1)
    accounts = new_accounts(agency, 2)
    distribute(admin, accounts, [cora, dan], mode="capacity")
    assert owners(accounts) == [cora.id, cora.id]  # round-robin would give dan one


def test_assigning_to_one_collector_stops_at_their_maximum(admin, agency):
    (cora,) = collectors(agency, 3)
    accounts = new_accounts(agency, 5)
    operation = distribute(admin, accounts, [cora])
    assert owners(accounts) == [cora.id] * 3 + [None] * 2
    assert operation.counts["no_room"] == 2 and open_count(cora) == 3


def test_new_accounts_become_assigned_with_timeline_entries_and_one_audit_event(admin, agency):
    cora, dan = collectors(agency, 10, 10)
    accounts = new_accounts(agency, 4)
    operation = distribute(admin, accounts, [cora, dan])
    db.session.expire_all()
    assert {a.status for a in accounts} == {Status.ASSIGNED}
    assert timeline_count(accounts, ActivityKind.ASSIGNMENT) == 4
    assert timeline_count(accounts, ActivityKind.STATUS_CHANGE) == 4
    (event,) = audit_events("accounts.bulk_assign", agency)
    assert event.entity_type == "bulk_operation" and event.entity_id == str(operation.id)
    assert event.changes["counts"]["assigned"] == 4 and event.changes["counts"]["status_assigned"] == 4
    assert event.changes["counts"][f"collector:{cora.id}"] == 2
    assert audit_events("account.assigned", agency) == []  # one event for the operation, not one per account


def test_closed_accounts_stay_and_accounts_already_with_a_chosen_collector_keep_them(admin, agency):
    cora, dan = collectors(agency, 10, 10)
    closed = f.walk_to(f.AccountFactory(agency=agency), Status.CLOSED, admin=admin, collector=None)
    mine = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=dan)
    fresh = f.AccountFactory(agency=agency)
    operation = distribute(admin, [closed, mine, fresh], [cora, dan])
    assert owners([closed, mine, fresh]) == [None, dan.id, cora.id]
    assert operation.message == "1 assigned, 1 already with a chosen collector, 1 closed account not reassigned."


def test_settled_accounts_move_without_taking_a_place(admin, agency):
    (cora, dan) = collectors(agency, 50, 1)
    settled = f.walk_to(f.AccountFactory(agency=agency), Status.SETTLED, admin=admin, collector=cora)
    fresh = f.AccountFactory(agency=agency)
    distribute(admin, [settled, fresh], [dan])
    assert owners([settled, fresh]) == [dan.id, dan.id] and open_count(dan) == 1


def test_reassigning_moves_accounts_from_another_collector_with_their_names(admin, agency):
    cora, dan = collectors(agency, 10, 10)
    account = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=cora)
    distribute(admin, [account], [dan])
    db.session.expire_all()
    assert account.assigned_collector_id == dan.id and account.status == Status.IN_CONTACT
    last = db.session.scalars(
        select(Activity).where(Activity.account_id == account.id).order_by(Activity.id.desc())
    ).first()
    assert last.body == "Assigned to Dan (was Cora)" and last.details["old"] == cora.id


def test_round_robin_carries_its_turn_across_batches(admin, agency, app, monkeypatch):
    monkeypatch.setitem(app.config, "BULK_BATCH_SIZE", 2)
    cora, dan, eve = collectors(agency, 10, 10, 10)
    accounts = new_accounts(agency, 7)
    operation = distribute(admin, accounts, [cora, dan, eve])
    assert owners(accounts) == [cora.id, dan.id, eve.id, cora.id, dan.id, eve.id, cora.id]
    assert operation.processed == 7 and len(audit_events("accounts.bulk_assign", agency)) == 1


def test_all_matching_the_filters_is_rerun_on_the_server_inside_the_agency(admin, agency, foreign):
    (cora,) = collectors(agency, 100)
    wanted = new_accounts(agency, 3, priority=3)
    others = new_accounts(agency, 2, priority=0)
    foreign_new = f.AccountFactory(agency=foreign.agency, priority=3)
    operation = distribute(admin, Selection(query="status=new&priority=3"), [cora])
    assert operation.total == 3
    assert owners(wanted) == [cora.id] * 3 and owners(others) == [None, None] and owners([foreign_new]) == [None]


def test_another_agencys_ids_are_ignored(admin, agency, foreign):
    (cora,) = collectors(agency, 10)
    mine = f.AccountFactory(agency=agency)
    operation = distribute(admin, [mine, foreign.account], [cora])
    assert operation.total == 1 and owners([mine]) == [cora.id]
    assert owners([foreign.account]) == [foreign.collector.id]


def test_only_another_agencys_ids_select_nothing(admin, foreign, agency):
    (cora,) = collectors(agency, 10)
    with pytest.raises(ValidationFailed, match="No accounts"):
        distribute(admin, [foreign.account], [cora])


def test_a_collector_may_not_run_bulk_operations(collector, agency):
    account = f.AccountFactory(agency=agency)
    with pytest.raises(PermissionDenied):
        services.submit_operation("priority", picked([account]), {"priority": 3}, actor=collector)


@pytest.mark.parametrize("make", ["other_agency", "inactive", "admin"])
def test_only_active_collectors_of_the_agency_can_be_chosen(admin, agency, foreign, make):
    target = {
        "other_agency": lambda: foreign.collector,
        "inactive": lambda: f.CollectorFactory(agency=agency, active=False),
        "admin": lambda: admin,
    }[make]()
    with pytest.raises(ValidationFailed) as refused:
        distribute(admin, new_accounts(agency, 1), [target])
    assert "collector_ids" in refused.value.fields


def test_an_unknown_action_is_not_found(admin, agency):
    with pytest.raises(NotFound):
        services.submit_operation("delete", picked(new_accounts(agency, 1)), {}, actor=admin)


def test_bulk_priority_changes_only_what_differs(admin, agency):
    accounts = new_accounts(agency, 2, priority=1) + new_accounts(agency, 1, priority=3)
    operation = services.submit_operation("priority", picked(accounts), {"priority": "3"}, actor=admin)
    db.session.expire_all()
    assert [a.priority for a in accounts] == [3, 3, 3]
    assert operation.message == "Priority set to P3 · urgent on 2 accounts; 1 already had it."
    assert audit_events("accounts.bulk_priority", agency)[0].changes["counts"] == {"changed": 2, "unchanged": 1}


@pytest.mark.parametrize("value", ["4", "-1", "x", ""])
def test_bulk_priority_out_of_range_is_refused(admin, agency, value):
    with pytest.raises(ValidationFailed):
        services.submit_operation("priority", picked(new_accounts(agency, 1)), {"priority": value}, actor=admin)


def test_bulk_status_moves_the_valid_accounts_and_reports_the_rest(admin, agency, collector):
    assigned = [f.walk_to(f.AccountFactory(agency=agency), Status.ASSIGNED, admin=admin, collector=collector)]
    fresh = new_accounts(agency, 2)
    closed = [f.walk_to(f.AccountFactory(agency=agency), Status.CLOSED, admin=admin, collector=None)]
    operation = services.submit_operation(
        "status", picked(assigned + fresh + closed), {"status": "in_contact"}, actor=admin
    )
    db.session.expire_all()
    assert [a.status for a in assigned + fresh + closed] == [
        Status.IN_CONTACT,
        Status.NEW,
        Status.NEW,
        Status.CLOSED,
    ]
    assert operation.message == (
        "1 account moved to In contact; 3 left as they were (Closed: 1, New: 2 cannot move to In contact)."
    )
    assert timeline_count(assigned, ActivityKind.STATUS_CHANGE) == 2  # the assignment's, then this one
    assert audit_events("accounts.bulk_status", agency)[0].changes["counts"]["changed"] == 1


def test_bulk_status_to_assigned_needs_a_collector(admin, agency):
    fresh = new_accounts(agency, 1)
    operation = services.submit_operation("status", picked(fresh), {"status": "assigned"}, actor=admin)
    assert operation.counts.get("changed") == 0 and owners(fresh) == [None]


def test_an_unknown_status_is_refused(admin, agency):
    with pytest.raises(ValidationFailed):
        services.submit_operation("status", picked(new_accounts(agency, 1)), {"status": "paid"}, actor=admin)


def test_an_operation_of_another_agency_is_not_found(admin, agency, foreign):
    operation = services.submit_operation("priority", picked(new_accounts(agency, 1)), {"priority": 2}, actor=admin)
    with pytest.raises(NotFound):
        services.get_operation(foreign.admin, operation.id)


def test_accounts_changed_in_bulk_are_still_accounts_of_the_agency(admin, agency):
    accounts = new_accounts(agency, 2)
    services.submit_operation("priority", picked(accounts), {"priority": 0}, actor=admin)
    assert db.session.scalar(select(Account.agency_id).where(Account.id == accounts[0].id)) == agency.id


def test_all_matching_a_search_selects_the_accounts_the_search_box_finds(admin, agency):
    found = f.AccountFactory(agency=agency, debtor=f.DebtorFactory(agency_id=agency.id, full_name="Quincy Zebulon"))
    missed = f.AccountFactory(agency=agency)
    operation = services.submit_operation("priority", Selection(query="q=zebul"), {"priority": 0}, actor=admin)
    db.session.expire_all()
    assert operation.total == 1 and found.priority == 0 and missed.priority == 1
