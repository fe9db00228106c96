"""Settings pages: admin-only, 422 re-renders, one-time password, deactivation in one step."""

import pytest

from app.accounts.states import Status
from tests import factories as f

PAGES = ["/settings/", "/settings/collectors/", "/settings/collectors/new"]
NEW = {
    "username": "nia",
    "full_name": "Nia New",
    "email": "nia@example.test",
    "commission_rate": "10",
    "max_open_accounts": "5",
}


@pytest.mark.parametrize("url", PAGES)
def test_collectors_get_403_and_admins_the_page(login, admin, collector, url, web):
    assert login(collector).get(url).status_code == 403
    web.post("/logout")
    assert login(admin).get(url).status_code == 200


def test_profile_saves_and_bad_timezone_is_422(login, admin, agency):
    web = login(admin)
    data = {"name": "Apex", "timezone": "Nowhere/City", "currency": "USD", "country": "US"}
    bad = web.post("/settings/", data)
    assert bad.status_code == 422 and "Unknown timezone" in bad.get_data(as_text=True)
    assert web.post("/settings/", {**data, "timezone": "UTC", "city": "Reno"}).status_code == 303
    assert agency.city == "Reno"


def test_created_collector_password_is_shown_once(login, admin):
    web = login(admin)
    body = web.post("/settings/collectors/new", NEW).get_data(as_text=True)
    assert 'id="temporary-password"' in body
    assert "temporary-password" not in web.get("/settings/collectors/").get_data(as_text=True)
    assert web.post("/settings/collectors/new", NEW).status_code == 422  # username taken


def test_edit_page_of_another_agencys_collector_is_404(login, admin, foreign):
    assert login(admin).get(f"/settings/collectors/{foreign.collector.id}").status_code == 404


def test_deactivate_moves_accounts_in_one_step(login, admin, collector, other_collector, agency):
    account = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector)
    web = login(admin)
    page = web.get(f"/settings/collectors/{collector.id}").get_data(as_text=True)
    assert "1 open account" in page and other_collector.full_name in page
    bad = web.post(f"/settings/collectors/{collector.id}/deactivate", {"action": "move"})
    assert bad.status_code == 422 and collector.active
    url = f"/settings/collectors/{collector.id}/deactivate"
    assert web.post(url, {"action": "move", "target_id": str(other_collector.id)}).status_code == 303
    assert account.assigned_collector_id == other_collector.id and not collector.active
    assert web.post(f"/settings/collectors/{collector.id}/reactivate").status_code == 303
    assert collector.active
