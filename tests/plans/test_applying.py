"""Payments cover the earliest open instalments; refunds take back what their payment covered, latest first; a
plan paid in full settles the account; a settlement forgives the rest (balance, waived amount, analytics)."""

from decimal import Decimal

from app.accounts.states import Status
from app.analytics.queries import get_dashboard_figures
from app.payments.services import refunds
from app.plans import services, settings
from app.plans.models import InstalmentState, PlanKind, PlanState
from app.plans.queries import get_plan_figures
from tests import factories as f
from tests.plans.conftest import actions, key, pay, plan_terms, refreshed, timeline

D = Decimal
S = InstalmentState


def states(plan):
    refreshed(plan)
    return [(i.amount_paid, i.state) for i in plan.instalments]


def test_a_payment_covers_the_earliest_instalments_first(negotiating, collector, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    pay(negotiating, "400.00", collector)
    assert states(plan) == [(D("333.33"), S.PAID), (D("66.67"), S.PARTLY_PAID), (D("0.00"), S.SCHEDULED)]
    assert refreshed(negotiating).plan_due_on == plan.instalments[1].due_on


def test_a_refund_takes_back_the_latest_instalment_first(negotiating, collector, admin, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    payment = pay(negotiating, "400.00", collector)
    refunds.refund_payment(payment.id, "100.00", "bounced in part", key(), actor=admin)
    assert states(plan) == [(D("300.00"), S.PARTLY_PAID), (D("0.00"), S.SCHEDULED), (D("0.00"), S.SCHEDULED)]
    refunds.refund_payment(payment.id, "300.00", "bounced", key(), actor=admin)
    assert states(plan) == [(D("0.00"), S.SCHEDULED)] * 3
    assert refreshed(negotiating).plan_due_on == plan.instalments[0].due_on


def test_a_refund_of_a_payment_made_before_the_plan_leaves_the_plan_alone(negotiating, collector, admin, agency):
    earlier = pay(negotiating, "100.00", collector)
    plan = services.create_plan(negotiating.id, plan_terms(agency, total="900.00"), actor=collector)
    pay(negotiating, "300.00", collector)
    refunds.refund_payment(earlier.id, "100.00", "returned", key(), actor=admin)
    assert states(plan)[0] == (D("300.00"), S.PAID)


def test_a_plan_paid_in_full_is_kept_and_settles_the_account(negotiating, collector, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    pay(negotiating, "500.00", collector)
    pay(negotiating, "500.00", collector)
    assert refreshed(plan).state == PlanState.COMPLETED and all(s == S.PAID for _, s in states(plan))
    assert refreshed(negotiating).status == Status.SETTLED and negotiating.plan_due_on is None
    assert "plan.completed" in actions()


def test_refunding_the_last_payment_reopens_a_kept_plan(negotiating, collector, admin, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    pay(negotiating, "500.00", collector)
    last = pay(negotiating, "500.00", collector)
    refunds.refund_payment(last.id, "200.00", "chargeback", key(), actor=admin)
    assert refreshed(plan).state == PlanState.ACTIVE
    assert refreshed(negotiating).status == Status.PAYMENT_PLAN and negotiating.current_balance == D("200.00")
    assert states(plan)[2] == (D("133.34"), S.PARTLY_PAID)


def settlement(account, agency, admin, collector, total="600.00", count=2):
    creditor = f.CreditorFactory(agency=agency)
    account.creditor_id = creditor.id
    f.db.session.flush()
    settings.set_settlement_bounds(creditor.id, "50", "0", actor=admin)
    terms = plan_terms(agency, total=total, count=count, kind=PlanKind.SETTLEMENT)
    return services.create_plan(account.id, terms, actor=collector)


def test_a_kept_settlement_waives_the_rest_settles_the_account_and_counts_only_the_money_collected(
    negotiating, collector, admin, agency
):
    plan = settlement(negotiating, agency, admin, collector)
    pay(negotiating, "300.00", collector)
    assert refreshed(negotiating).current_balance == D("700.00") and negotiating.status == Status.PAYMENT_PLAN
    pay(negotiating, "300.00", collector)
    assert refreshed(plan).state == PlanState.COMPLETED and plan.waived_amount == D("400.00")
    assert refreshed(negotiating).current_balance == D("0.00") and negotiating.status == Status.SETTLED
    assert "Settled for less: $400.00 waived" in timeline(negotiating) and "settlement.waived" in actions()
    figures = get_dashboard_figures(admin, live=True)
    assert figures.collected_all == D("600.00") and figures.recovery_rate == D("0.6000")
    assert figures.outstanding == D("0.00")
    assert get_plan_figures(admin).waived == D("400.00")


def test_the_dashboards_rollups_agree_with_the_live_figures_after_a_settlement(negotiating, collector, admin, agency):
    settlement(negotiating, agency, admin, collector, total="600.00", count=1)
    pay(negotiating, "600.00", collector)
    live, kept = get_dashboard_figures(admin, live=True), get_dashboard_figures(admin)
    assert (live.collected_all, live.outstanding, live.recovery_rate) == (
        kept.collected_all,
        kept.outstanding,
        kept.recovery_rate,
    )
    assert kept.by_status.get(Status.SETTLED) == 1


def test_refunding_a_settlement_payment_restores_the_waived_balance(negotiating, collector, admin, agency):
    plan = settlement(negotiating, agency, admin, collector, count=1)
    payment = pay(negotiating, "600.00", collector)
    refunds.refund_payment(payment.id, "600.00", "chargeback", key(), actor=admin)
    assert refreshed(plan).state == PlanState.ACTIVE and plan.waived_amount == D("0.00")
    assert refreshed(negotiating).current_balance == D("1000.00") and negotiating.status == Status.PAYMENT_PLAN
