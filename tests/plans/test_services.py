"""Agreeing, previewing and cancelling promises, plans and settlements: scope, rules, audit, timeline, status."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts.states import Status
from app.errors import Conflict, NotFound, ValidationFailed
from app.plans import services, settings
from app.plans.models import InstalmentState, PlanKind, PlanState
from tests import factories as f
from tests.plans.conftest import actions, plan_terms, promise_terms, refreshed, timeline, today

D = Decimal


def test_a_plan_is_agreed_with_its_schedule_audited_on_the_timeline_and_the_account_moves_to_payment_plan(
    negotiating, collector, agency
):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    assert plan.state == PlanState.ACTIVE and plan.total == D("1000.00")
    assert [i.amount for i in plan.instalments] == [D("333.33"), D("333.33"), D("333.34")]
    assert all(i.state == InstalmentState.SCHEDULED for i in plan.instalments)
    assert refreshed(negotiating).status == Status.PAYMENT_PLAN
    assert negotiating.plan_due_on == plan.instalments[0].due_on and not negotiating.plan_broken
    assert "plan.created" in actions() and any(
        t.startswith("Plan agreed: $1,000.00 in 3 monthly") for t in timeline(negotiating)
    )


def test_a_promise_keeps_the_status_and_sets_the_due_day(negotiating, collector, agency):
    plan = services.create_plan(negotiating.id, promise_terms(agency), actor=collector)
    assert plan.kind == PlanKind.PROMISE and len(plan.instalments) == 1 and plan.frequency is None
    assert refreshed(negotiating).status == Status.NEGOTIATING
    assert negotiating.plan_due_on == today(agency) + timedelta(days=2)


def test_a_plan_from_in_contact_leaves_the_status_where_the_state_machine_forbids_the_move(
    account, admin, collector, agency
):
    f.walk_to(account, Status.IN_CONTACT, admin=admin, collector=collector)
    services.create_plan(account.id, plan_terms(agency), actor=collector)
    assert refreshed(account).status == Status.IN_CONTACT


def test_the_preview_writes_nothing(negotiating, collector, agency):
    before = len(actions())
    preview = services.preview_plan(negotiating.id, plan_terms(agency, count=4), actor=collector)
    assert [a for _, a in preview.instalments] == [D("250.00")] * 4
    assert len(actions()) == before and services.list_plans(negotiating.id, viewer=collector) == []


def test_a_second_active_plan_is_a_conflict(negotiating, collector, agency):
    services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    with pytest.raises(Conflict):
        services.create_plan(negotiating.id, promise_terms(agency), actor=collector)


@pytest.mark.parametrize(
    "change,field",
    [
        (dict(total="1000.01"), "total"),
        (dict(first_due="yesterday"), "first_due"),
        (dict(count=0), "count"),
    ],
)
def test_bad_terms_are_refused_and_write_nothing(negotiating, collector, agency, change, field):
    if change.get("first_due") == "yesterday":
        change["first_due"] = today(agency) - timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        services.create_plan(negotiating.id, plan_terms(agency, **change), actor=collector)
    assert field in refused.value.fields
    assert services.list_plans(negotiating.id, viewer=collector) == []


def test_no_plan_on_a_disputed_account(account, admin, collector, agency):
    f.walk_to(account, Status.DISPUTED, admin=admin, collector=collector)
    with pytest.raises(ValidationFailed):
        services.create_plan(account.id, plan_terms(agency), actor=collector)


def test_another_collectors_or_agencys_account_is_404(negotiating, other_collector, foreign, agency, collector):
    with pytest.raises(NotFound):
        services.create_plan(negotiating.id, plan_terms(agency), actor=other_collector)
    with pytest.raises(NotFound):
        services.create_plan(negotiating.id, plan_terms(agency), actor=foreign.admin)
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    with pytest.raises(NotFound):
        services.cancel_plan(plan.id, actor=foreign.admin)
    with pytest.raises(NotFound):
        services.cancel_plan(plan.id, actor=other_collector)


def test_cancelling_ends_the_plan_and_the_account_goes_back_to_negotiating(negotiating, collector, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    services.cancel_plan(plan.id, actor=collector)
    assert plan.state == PlanState.CANCELLED and plan.ended_at is not None
    assert refreshed(negotiating).status == Status.NEGOTIATING and negotiating.plan_due_on is None
    assert "plan.cancelled" in actions()
    with pytest.raises(Conflict):
        services.cancel_plan(plan.id, actor=collector)


def with_creditor(account, agency):
    creditor = f.CreditorFactory(agency=agency)
    account.creditor_id = creditor.id
    f.db.session.flush()
    return creditor


def test_a_settlement_within_the_creditors_bounds_is_agreed(negotiating, collector, admin, agency):
    creditor = with_creditor(negotiating, agency)
    settings.set_settlement_bounds(creditor.id, "30", "100.00", actor=admin)
    terms = plan_terms(agency, total="700.00", count=2, kind=PlanKind.SETTLEMENT)
    plan = services.create_plan(negotiating.id, terms, actor=collector)
    assert plan.kind == PlanKind.SETTLEMENT and plan.balance_at_start == D("1000.00") and plan.agreed_discount == 300
    assert "creditor.settlement_bounds_set" in actions()


@pytest.mark.parametrize(
    "total,count,field",
    [("699.99", 2, "total"), ("1000.00", 2, "total"), ("700.00", 8, "count")],
)
def test_a_settlement_outside_the_bounds_is_refused(negotiating, collector, admin, agency, total, count, field):
    creditor = with_creditor(negotiating, agency)
    settings.set_settlement_bounds(creditor.id, "30", "100.00", actor=admin)
    terms = plan_terms(agency, total=total, count=count, kind=PlanKind.SETTLEMENT)
    with pytest.raises(ValidationFailed) as refused:
        services.create_plan(negotiating.id, terms, actor=collector)
    assert field in refused.value.fields


def test_without_bounds_no_discount_is_allowed(negotiating, collector, agency):
    with pytest.raises(ValidationFailed):
        services.create_plan(
            negotiating.id, plan_terms(agency, total="990.00", kind=PlanKind.SETTLEMENT), actor=collector
        )


def test_bounds_and_grace_days_are_admin_only_audited_and_checked(admin, collector, agency, foreign):
    creditor = f.CreditorFactory(agency=agency)
    with pytest.raises(Exception) as denied:
        settings.set_settlement_bounds(creditor.id, "10", "0", actor=collector)
    assert denied.value.status == 403
    with pytest.raises(NotFound):
        settings.set_settlement_bounds(creditor.id, "10", "0", actor=foreign.admin)
    for bad in ("101", "-1", "1e2", "abc", "\x00"):
        with pytest.raises(ValidationFailed):
            settings.set_settlement_bounds(creditor.id, bad, "0", actor=admin)
    settings.set_grace_days(5, actor=admin)
    with pytest.raises(ValidationFailed):
        settings.set_grace_days(61, actor=admin)
    assert agency.plan_grace_days == 5
    assert "agency.plan_grace_days_changed" in actions() and "creditor.settlement_bounds_set" not in actions()


def test_the_portal_agrees_a_plan_as_the_debtor_without_a_user(negotiating, agency):
    plan = services.agree_plan(negotiating, plan_terms(agency), None, via="portal")
    f.db.session.commit()
    assert plan.created_by_id is None and refreshed(negotiating).status == Status.PAYMENT_PLAN
    assert any(t.endswith("(portal)") and t.startswith("Plan agreed") for t in timeline(negotiating))
