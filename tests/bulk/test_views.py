"""The bulk bar on the accounts list, the bulk page, its forms and the operation page."""

import re

import pytest

from app.accounts.models import ActivityKind
from app.bulk.models import BulkOperation
from app.extensions import db
from tests import factories as f
from tests.bulk.helpers import audit_events, collectors, new_accounts, owners, timeline_count


def test_the_admins_list_has_a_checkbox_per_row_in_the_bulk_form(login, admin, account):
    body = login(admin).get("/accounts/?status=new").get_data(as_text=True)
    assert f'name="ids" value="{account.id}" form="bulk-form"' in body
    assert 'id="bulk-form"' in body and 'name="match" value="status=new"' in body


def test_a_collectors_worklist_has_no_bulk_bar(login, assigned_account, collector):
    body = login(collector).get("/worklist").get_data(as_text=True)
    assert "bulk-form" not in body


def test_picked_ids_open_the_bulk_page_with_their_count(login, admin, agency):
    accounts = new_accounts(agency, 2)
    query = "&".join(f"ids={a.id}" for a in accounts)
    body = login(admin).get(f"/accounts/bulk/?scope=ids&{query}").get_data(as_text=True)
    assert "2 accounts" in body and "picked on the list" in body and "New: 2" in body


def test_all_matching_opens_the_bulk_page_counted_on_the_server(login, admin, agency):
    new_accounts(agency, 3, priority=2)
    new_accounts(agency, 1, priority=0)
    body = login(admin).get("/accounts/bulk/?scope=all&match=priority%3D2").get_data(as_text=True)
    assert "3 accounts" in body and "matching the list" in body


def test_status_choices_are_the_moves_valid_for_every_selected_status(login, admin, agency, collector):
    fresh = f.AccountFactory(agency=agency)
    assigned = f.walk_to(f.AccountFactory(agency=agency), f.Status.ASSIGNED, admin=admin, collector=collector)
    body = login(admin).get(f"/accounts/bulk/?ids={fresh.id}&ids={assigned.id}").get_data(as_text=True)
    status_select = re.search(r'<select[^>]*name="status".*?</select>', body, re.S).group(0)
    assert re.findall(r'value="(\w+)"', status_select) == ["closed"]  # new→assigned|closed, assigned→…|closed


def test_a_form_post_distributes_and_lands_on_the_operation_page(login, admin, agency):
    cora, dan = collectors(agency, 10, 10)
    accounts = new_accounts(agency, 4)
    web = login(admin)
    data = {"scope": "ids", "ids": ",".join(str(a.id) for a in accounts), "collector_ids": [cora.id, dan.id]}
    response = web.post("/accounts/bulk/assign", {**data, "mode": "round_robin"})
    assert response.status_code == 303
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 assigned." in page and "<html" in page
    assert owners(accounts) == [cora.id, dan.id, cora.id, dan.id]


def test_a_crafted_post_of_another_agencys_ids_changes_nothing(login, admin, agency, foreign):
    (cora,) = collectors(agency, 10)
    data = {"scope": "ids", "ids": str(foreign.account.id), "collector_ids": cora.id, "mode": "round_robin"}
    response = login(admin).post("/accounts/bulk/assign", data)
    assert response.status_code == 422 and "No accounts of your agency are selected" in response.get_data(as_text=True)
    assert owners([foreign.account]) == [foreign.collector.id]
    assert db.session.query(BulkOperation).filter_by(agency_id=agency.id).count() == 0


def test_no_collector_chosen_shows_the_error_on_the_field(login, admin, agency):
    account = f.AccountFactory(agency=agency)
    response = login(admin).post("/accounts/bulk/assign", {"scope": "ids", "ids": str(account.id)})
    assert response.status_code == 422 and 'class="error"' in response.get_data(as_text=True)


def test_an_unknown_action_is_a_404(login, admin, account):
    assert login(admin).post("/accounts/bulk/delete", {"scope": "ids", "ids": str(account.id)}).status_code == 404


@pytest.mark.parametrize(
    "method, url",
    [("GET", "/accounts/bulk/?ids=1"), ("POST", "/accounts/bulk/assign"), ("GET", "/accounts/bulk/1")],
)
def test_a_collector_gets_403(login, collector, method, url):
    web = login(collector)
    response = web.get(url) if method == "GET" else web.post(url, {"scope": "ids", "ids": "1"})
    assert response.status_code == 403


def test_another_agencys_operation_is_a_404(login, admin, agency, foreign):
    web = login(admin)
    account = f.AccountFactory(agency=agency)
    response = web.post("/accounts/bulk/priority", {"scope": "ids", "ids": str(account.id), "priority": "2"})
    operation_url = response.headers["Location"]
    web.post("/logout")
    other = login(foreign.admin)
    assert other.get(operation_url).status_code == 404


def test_the_operation_status_block_alone_for_htmx(login, admin, agency):
    web = login(admin)
    account = f.AccountFactory(agency=agency)
    response = web.post("/accounts/bulk/priority", {"scope": "ids", "ids": str(account.id), "priority": "0"})
    fragment = web.get(response.headers["Location"], htmx=True, target="operation-status").get_data(as_text=True)
    assert "<html" not in fragment and 'id="operation-status"' in fragment and "P0" in fragment
    assert "every 2s" not in fragment  # done: polling stops


def test_a_bulk_follow_up_lands_on_every_picked_account_at_the_agencys_time(login, admin, agency):
    agency.timezone = "America/Los_Angeles"
    accounts = new_accounts(agency, 3)
    db.session.commit()
    data = {"scope": "ids", "ids": ",".join(str(a.id) for a in accounts), "day": "2030-01-15", "time": "18:30"}
    response = login(admin).post("/accounts/bulk/follow_up", {**data, "reason": "Call back after work"})
    assert response.status_code == 303
    db.session.expire_all()
    # 18:30 in Los Angeles on 15 January is 02:30 UTC the next day
    assert {a.next_follow_up_at.isoformat() for a in accounts} == {"2030-01-16T02:30:00+00:00"}
    assert timeline_count(accounts, ActivityKind.FOLLOW_UP) == 3
    assert [e.changes["counts"] for e in audit_events("accounts.bulk_follow_up", agency)] == [{"changed": 3}]


def test_a_bulk_follow_up_without_a_reason_changes_nothing(login, admin, agency):
    accounts = new_accounts(agency, 2)
    data = {"scope": "ids", "ids": ",".join(str(a.id) for a in accounts), "day": "2030-01-15", "time": "09:00"}
    response = login(admin).post("/accounts/bulk/follow_up", data)
    assert response.status_code == 422 and 'class="error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert [a.next_follow_up_at for a in accounts] == [None, None]
