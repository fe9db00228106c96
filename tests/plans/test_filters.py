"""The worklist's plan filters: "promise due today" and "plan broken", for a collector and an admin, with the count
and the sort the page offers."""

from datetime import timedelta

import pytest

from app.accounts.queries import WorklistFilters, list_accounts
from app.agencyday import day_start
from app.plans import services
from app.plans.sweep import break_overdue_plans
from tests import factories as f
from tests.plans.conftest import promise_terms, today


@pytest.fixture
def book(admin, collector, agency):
    """Three accounts in negotiation: a promise due today, one due in two days, one broken; and a plain one."""
    accounts = {
        name: f.walk_to(f.AccountFactory(agency=agency), f.Status.NEGOTIATING, admin=admin, collector=collector)
        for name in ("today", "later", "broken", "plain")
    }
    for name, days in (("today", 0), ("later", 2), ("broken", 0)):
        due = today(agency) + timedelta(days=days)
        services.create_plan(accounts[name].id, promise_terms(agency, first_due=due), actor=collector)
    return accounts


def ids(page):
    return {row.id for row in page.items}


@pytest.mark.parametrize("sort", ["priority", "balance", "score", "due_date"])
def test_promise_due_today_for_the_collector_and_the_admin(book, admin, collector, sort):
    for viewer in (collector, admin):
        page = list_accounts(viewer, WorklistFilters(plan="due_today", sort=sort))
        assert ids(page) == {book["today"].id, book["broken"].id}


def test_plan_broken(book, admin, collector, agency):
    later = day_start(today(agency) + timedelta(days=agency.plan_grace_days + 1), agency.timezone)
    services.cancel_plan(services.list_plans(book["today"].id, viewer=collector)[0].id, actor=collector)
    assert break_overdue_plans(later) == 1
    for viewer in (collector, admin):
        assert ids(list_accounts(viewer, WorklistFilters(plan="broken"))) == {book["broken"].id}
        assert ids(list_accounts(viewer, WorklistFilters(plan="broken", open_only=True))) == {book["broken"].id}


def test_the_accounts_page_offers_the_filters(login, book, collector):
    web = login(collector)
    html = web.get("/worklist?plan=due_today&status=all").get_data(as_text=True)
    assert "Promise due today" in html and book["today"].external_ref in html
    assert book["later"].external_ref not in html and book["plain"].external_ref not in html
    assert web.get("/worklist?plan=nonsense").status_code == 422


def test_another_collector_sees_none_of_them(book, other_collector):
    assert ids(list_accounts(other_collector, WorklistFilters(plan="due_today"))) == set()
