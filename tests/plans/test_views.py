"""The account page's plan card (preview, confirm, cancel, without JavaScript and with htmx), the plan settings
page and the analytics panel."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.plans import services
from app.plans.models import Frequency, PlanState
from tests import factories as f
from tests.plans.conftest import pay, plan_terms, promise_terms, refreshed, today

D = Decimal


def form(agency, **change):
    first = (today(agency) + timedelta(days=1)).isoformat()
    return {"kind": "plan", "total": "900.00", "first_due": first, "frequency": "monthly", "count": "3", **change}


def test_the_account_page_shows_the_plan_card(login, collector, negotiating):
    html = login(collector).get(f"/accounts/{negotiating.id}").get_data(as_text=True)
    assert 'id="plans-card"' in html and "Preview the schedule" in html and "No promise or plan yet." in html


def test_a_preview_shows_the_schedule_and_writes_nothing(login, collector, negotiating, agency):
    response = login(collector).post(f"/plans/accounts/{negotiating.id}", form(agency, action="preview"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Schedule: 3 instalments" in html and "$300.00" in html
    assert "Confirm this schedule" in html and services.list_plans(negotiating.id, viewer=collector) == []


def test_confirming_agrees_the_plan_and_redirects_to_the_account(login, collector, negotiating, agency):
    response = login(collector).post(f"/plans/accounts/{negotiating.id}", form(agency, action="confirm"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/accounts/{negotiating.id}")
    (plan,) = services.list_plans(negotiating.id, viewer=collector)
    assert plan.total == D("900.00") and len(plan.instalments) == 3
    html = login(collector).get(f"/accounts/{negotiating.id}").get_data(as_text=True)
    assert "Cancel the plan" in html and "Preview the schedule" not in html


def test_with_htmx_the_preview_is_the_main_block(login, collector, negotiating, agency):
    web = login(collector)
    response = web.post(f"/plans/accounts/{negotiating.id}", form(agency), htmx=True, target="account-main")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "Schedule: 3 instalments" in html


@pytest.mark.parametrize(
    "change,message",
    [
        (dict(total="abc"), "Enter a positive amount"),
        (dict(total="5000.00"), "above the current balance"),
        (dict(count="0"), "number of instalments"),
        (dict(first_due="2000-01-01"), "cannot be in the past"),
        (dict(kind="settlement", total="500.00"), "discount of at most 0"),
    ],
)
def test_bad_terms_re_render_with_422_and_write_nothing(login, collector, negotiating, agency, change, message):
    for action in ("preview", "confirm"):
        response = login(collector).post(f"/plans/accounts/{negotiating.id}", form(agency, action=action, **change))
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert services.list_plans(negotiating.id, viewer=collector) == []


def test_cancel_from_the_page(login, collector, negotiating, agency):
    plan = services.create_plan(negotiating.id, plan_terms(agency), actor=collector)
    response = login(collector).post(f"/plans/{plan.id}/cancel")
    assert response.status_code == 303 and refreshed(plan).state == PlanState.CANCELLED


def test_another_collectors_and_agencys_plans_are_404(login, collector, other_collector, negotiating, agency, foreign):
    plan = services.create_plan(negotiating.id, promise_terms(agency), actor=collector)
    for user in (other_collector, foreign.admin):
        web = login(user)
        assert web.post(f"/plans/{plan.id}/cancel").status_code == 404
        assert web.post(f"/plans/accounts/{negotiating.id}", form(agency)).status_code == 404


def test_the_settings_page_sets_grace_days_and_bounds(login, admin, agency):
    creditor = f.CreditorFactory(agency=agency, name="Big Bank")
    web = login(admin)
    assert "Big Bank" in web.get("/plans/settings").get_data(as_text=True)
    assert web.post("/plans/settings", {"grace_days": "5"}).status_code == 303 and agency.plan_grace_days == 5
    data = {f"c{creditor.id}-max_discount_percent": "25", f"c{creditor.id}-min_instalment": "50.00"}
    assert web.post(f"/plans/settings/creditors/{creditor.id}", data).status_code == 303
    bad = {f"c{creditor.id}-max_discount_percent": "250", f"c{creditor.id}-min_instalment": "50.00"}
    response = web.post(f"/plans/settings/creditors/{creditor.id}", bad)
    assert response.status_code == 422 and "from 0 to 100" in response.get_data(as_text=True)
    assert web.post("/plans/settings", {"grace_days": "999"}).status_code == 422


def test_collectors_may_not_change_plan_settings(login, collector):
    web = login(collector)
    assert web.get("/plans/settings").status_code == 403
    assert web.get("/plans/analytics").status_code == 403


def test_the_analytics_panel_shows_the_figures_exactly(login, admin, collector, negotiating, agency):
    terms = plan_terms(agency, total="900.00", count=3, frequency=Frequency.BIWEEKLY)  # days 1, 15, 29: all within
    services.create_plan(negotiating.id, terms, actor=collector)
    pay(negotiating, "100.00", collector)
    web = login(admin)
    html = web.get("/plans/analytics", htmx=True).get_data(as_text=True)
    assert "<html" not in html and "Kept-promise rate" in html
    assert '<dd data-figure="scheduled_next_30">$800.00</dd>' in html
    assert "<html" in web.get("/plans/analytics").get_data(as_text=True)
    assert 'hx-get="/plans/analytics"' in web.get("/analytics/").get_data(as_text=True)


def test_a_refused_plan_form_keeps_what_was_typed(login, collector, negotiating, agency):
    typed = form(agency, total="5000.00", frequency="weekly", count="7", action="preview")
    body = login(collector).post(f"/plans/accounts/{negotiating.id}", typed).get_data(as_text=True)
    assert 'value="5000.00"' in body and 'value="7"' in body and f'value="{typed["first_due"]}"' in body
    assert 'selected value="weekly"' in body
