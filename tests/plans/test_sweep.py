"""Broken promises: at the grace boundary, the plan breaks once, the account goes back to negotiating, the collector
gets a follow-up and the work score rises."""

from datetime import timedelta
from decimal import Decimal

from app.accounts.models import Account, FollowUp
from app.accounts.states import Status
from app.accounts.workscore import factor_points, score, score_values
from app.agencyday import day_start
from app.plans import services
from app.plans.models import InstalmentState, PlanState
from app.plans.sweep import break_overdue_plans
from jobs.plans import run_plan_sweep
from tests.factories import db
from tests.plans.conftest import actions, pay, plan_terms, promise_terms, refreshed, timeline

D = Decimal


def noon_on(day, agency):
    """Midday of ``day`` in the agency's timezone, as UTC."""
    return day_start(day, agency.timezone) + timedelta(hours=12)


def promised(negotiating, collector, agency):
    plan = services.create_plan(negotiating.id, promise_terms(agency), actor=collector)
    return plan, plan.instalments[0].due_on


def test_a_promise_unpaid_on_the_last_grace_day_is_not_broken(negotiating, collector, agency):
    plan, due = promised(negotiating, collector, agency)
    assert break_overdue_plans(noon_on(due + timedelta(days=agency.plan_grace_days), agency)) == 0
    assert refreshed(plan).state == PlanState.ACTIVE


def test_a_promise_unpaid_the_day_after_the_grace_days_breaks(negotiating, collector, agency):
    plan, due = promised(negotiating, collector, agency)
    assert break_overdue_plans(noon_on(due + timedelta(days=4), agency)) == 1
    assert refreshed(plan).state == PlanState.BROKEN and plan.instalments[0].state == InstalmentState.MISSED
    assert refreshed(negotiating).plan_broken and negotiating.plan_due_on is None
    assert "promise.broken" in actions()
    assert any(t.startswith("Promise broken: $200.00 due") for t in timeline(negotiating))


def test_the_agencys_own_grace_days_count(negotiating, collector, agency):
    agency.plan_grace_days = 0
    plan, due = promised(negotiating, collector, agency)
    assert break_overdue_plans(noon_on(due, agency)) == 0
    assert break_overdue_plans(noon_on(due + timedelta(days=1), agency)) == 1


def test_a_broken_plan_moves_the_account_back_and_gives_the_collector_a_follow_up(negotiating, collector, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    pay(negotiating, "100.00", collector)
    late = noon_on(plan.instalments[0].due_on + timedelta(days=4), agency)
    assert break_overdue_plans(late) == 1
    assert refreshed(negotiating).status == Status.NEGOTIATING
    first, rest = plan.instalments[0], plan.instalments[1:]
    assert first.state == InstalmentState.MISSED and first.amount_paid == D("100.00")
    assert all(i.state == InstalmentState.SCHEDULED for i in rest)
    follow_up = db.session.scalars(db.select(FollowUp).where(FollowUp.account_id == negotiating.id)).one()
    assert follow_up.reason.startswith("Plan broken: $233.33 due") and follow_up.created_by_id is None
    assert negotiating.next_follow_up_at == late


def test_the_sweep_breaks_a_plan_once(negotiating, collector, agency):
    _, due = promised(negotiating, collector, agency)
    late = noon_on(due + timedelta(days=5), agency)
    assert break_overdue_plans(late) == 1 and break_overdue_plans(late + timedelta(days=1)) == 0


def test_a_paid_promise_is_not_broken(negotiating, collector, agency):
    plan, due = promised(negotiating, collector, agency)
    pay(negotiating, "200.00", collector)
    assert refreshed(plan).state == PlanState.COMPLETED
    assert break_overdue_plans(noon_on(due + timedelta(days=10), agency)) == 0


def test_a_broken_promise_raises_the_account_in_the_work_score(negotiating, collector, agency):
    _, due = promised(negotiating, collector, agency)
    later = noon_on(due + timedelta(days=4), agency)

    def points():
        terms = factor_points(Account)
        stmt = db.select(terms["promise_plan"], score(Account)).where(Account.id == negotiating.id)
        return tuple(db.session.execute(stmt, score_values(None, agency.timezone, later)).one())

    (factor_before, score_before) = points()
    break_overdue_plans(later)
    (factor_after, score_after) = points()
    assert (factor_before, factor_after) == (0, 30)  # the factor's default weight, in Settings like the others
    assert score_after > score_before


def test_the_job_runs_the_sweep(negotiating, collector, agency):
    promised(negotiating, collector, agency)
    assert run_plan_sweep() == 0  # nothing is overdue today
