"""The plan figures of the analytics dashboard: exact, at the 30-day boundary, scoped to the viewer's agency."""

from datetime import timedelta
from decimal import Decimal

from app.agencyday import day_start
from app.plans import services
from app.plans.models import Frequency, PlanState
from app.plans.queries import get_plan_figures
from app.plans.sweep import break_overdue_plans
from tests import factories as f
from tests.plans.conftest import pay, plan_terms, promise_terms, today

D = Decimal


def promise_on(account, actor, agency, amount: str, days: int):
    return services.create_plan(
        account.id, promise_terms(agency, amount, today(agency) + timedelta(days=days)), actor=actor
    )


def test_the_30_days_run_from_today_to_the_29th_day_after(admin, agency):
    collector = f.CollectorFactory(agency=agency)
    accounts = [
        f.walk_to(f.AccountFactory(agency=agency), f.Status.NEGOTIATING, admin=admin, collector=collector)
        for _ in range(3)
    ]
    for account, days, amount in zip(accounts, (0, 29, 30), ("10.00", "20.00", "40.00"), strict=True):
        promise_on(account, collector, agency, amount, days)
    assert get_plan_figures(admin).scheduled_next_30 == D("30.00")


def test_kept_promise_rate_and_plans_by_state(admin, agency, foreign):
    collector = f.CollectorFactory(agency=agency)
    make = lambda: f.walk_to(f.AccountFactory(agency=agency), f.Status.NEGOTIATING, admin=admin, collector=collector)  # noqa: E731
    kept, broken, cancelled, open_ = make(), make(), make(), make()
    promise_on(kept, collector, agency, "50.00", 1)
    pay(kept, "50.00", collector)
    due = promise_on(broken, collector, agency, "50.00", 0).instalments[0].due_on
    services.cancel_plan(promise_on(cancelled, collector, agency, "50.00", 1).id, actor=collector)
    services.create_plan(
        open_.id, plan_terms(agency, total="300.00", count=3, frequency=Frequency.WEEKLY), actor=collector
    )
    break_overdue_plans(day_start(due + timedelta(days=agency.plan_grace_days + 1), agency.timezone))
    services.create_plan(foreign.account.id, promise_terms(foreign.agency), actor=foreign.collector)  # not counted
    figures = get_plan_figures(admin, today=due)
    assert figures.by_state == {
        PlanState.COMPLETED: 1,
        PlanState.BROKEN: 1,
        PlanState.CANCELLED: 1,
        PlanState.ACTIVE: 1,
    }
    assert (figures.promises_kept, figures.promises_broken, figures.kept_promise_rate) == (1, 1, D("0.5000"))
    assert figures.scheduled_next_30 == D("300.00") and figures.waived == D("0.00")


def test_no_promise_decided_yet_has_no_rate(admin):
    assert get_plan_figures(admin).kept_promise_rate is None
