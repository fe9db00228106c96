"""Worklist and account pages: full page vs fragment, filters, actions, 422s, 403s and 404s."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.accounts.states import Status
from tests import factories as f

MISSING_ID = 999_999


def main_of(response) -> str:
    """The page's <main> (layout, CSRF token and request id left out) to compare two answers."""
    return re.search(r"<main>(.*)</main>", response.get_data(as_text=True), re.S).group(1)


def test_collector_worklist_lists_only_their_accounts(login, collector, other_collector, admin, agency):
    mine = f.walk_to(f.AccountFactory(agency=agency), Status.ASSIGNED, admin=admin, collector=collector)
    theirs = f.walk_to(f.AccountFactory(agency=agency), Status.ASSIGNED, admin=admin, collector=other_collector)
    body = login(collector).get("/worklist").get_data(as_text=True)
    assert mine.external_ref in body and theirs.external_ref not in body
    assert "<html" in body


def test_admin_sees_the_agency_but_not_another_agency(login, admin, account, foreign):
    body = login(admin).get("/accounts/").get_data(as_text=True)
    assert account.external_ref in body
    assert foreign.account.external_ref not in body


def test_a_worklist_row_shows_the_debtor_creditor_and_collector_names(login, admin, collector, agency):
    creditor = f.CreditorFactory(agency=agency, name="Northwind Bank")
    placed = f.AccountFactory(agency=agency, creditor=creditor)
    placed = f.walk_to(placed, Status.ASSIGNED, admin=admin, collector=collector)
    bare = f.AccountFactory(agency=agency)
    body = login(admin).get("/accounts/").get_data(as_text=True)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    cells = {re.sub(r"<[^>]+>", "", row[0]).split()[0]: row[1:3] + row[-1:] for row in rows if row}  # ref, then why
    assert cells[placed.external_ref] == [placed.debtor.full_name, "Northwind Bank", collector.full_name]
    assert cells[bare.external_ref] == [bare.debtor.full_name, "—", "Unassigned"]


def test_htmx_filter_request_gets_only_the_table(login, admin, account):
    response = login(admin).get("/accounts/?status=new", htmx=True, target="account-table")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and 'id="account-table"' in body and account.external_ref in body
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_or_history_restore_requests_get_the_full_page(login, admin, client):
    web = login(admin)
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        response = client.get(
            "/accounts/", headers={"HX-Request": "true", "HX-Target": "account-table", header: "true"}
        )
        assert "<html" in response.get_data(as_text=True), header
    assert web


@pytest.fixture
def varied(agency, admin, collector, other_collector):
    """Four accounts differing in every filtered field."""
    today = date.today()
    a = f.AccountFactory(agency=agency, priority=3, original_amount=Decimal("150.00"), due_date=today)
    b = f.AccountFactory(agency=agency, priority=0, original_amount=Decimal("5000.00"), due_date=today + timedelta(30))
    c = f.AccountFactory(agency=agency, priority=2, original_amount=Decimal("900.00"))
    d = f.AccountFactory(agency=agency, priority=1, original_amount=Decimal("60.00"), due_date=today - timedelta(90))
    a.debtor.full_name, a.debtor.email = "Zoë O'Brien", "zoe.obrien@Example.com"
    a.refresh_search_text()
    f.walk_to(b, Status.IN_CONTACT, admin=admin, collector=collector)
    f.walk_to(c, Status.ASSIGNED, admin=admin, collector=other_collector)
    return dict(a=a, b=b, c=c, d=d, collector=collector)


def shown(web, query: str) -> set[str]:
    body = web.get(f"/accounts/?{query}").get_data(as_text=True)
    return set(re.findall(r">(ACC-\d+)</a>", body))


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=in_contact", {"b"}),
        ("priority=3", {"a"}),
        ("collector=0", {"a", "d"}),
        ("balance_min=100&balance_max=1000", {"a", "c"}),
        ("due_from={today}&due_to={in30}", {"a", "b"}),
        ("q=o%27brien", {"a"}),
        ("q=EXAMPLE.COM", {"a"}),
        ("q=zzz-nothing", set()),
    ],
)
def test_filters_narrow_the_list(login, admin, varied, query, expected):
    today = date.today()
    query = query.format(today=today, in30=today + timedelta(30))
    assert shown(login(admin), query) == {varied[k].external_ref for k in expected}


def test_collector_filter_and_ref_search(login, admin, varied):
    web = login(admin)
    assert shown(web, f"collector={varied['collector'].id}") == {varied["b"].external_ref}
    assert shown(web, f"q={varied['c'].external_ref.lower()}") == {varied["c"].external_ref}


@pytest.mark.parametrize(
    "sort,direction,order",
    [
        ("priority", "desc", "acdb"),
        ("priority", "asc", "bdca"),
        ("balance", "desc", "bcad"),
        ("balance", "asc", "dacb"),
        ("due_date", "asc", "dabc"),
    ],
)
def test_sorting(login, admin, varied, sort, direction, order):
    body = login(admin).get(f"/accounts/?sort={sort}&dir={direction}").get_data(as_text=True)
    refs = re.findall(r">(ACC-\d+)</a>", body)
    assert refs == [varied[k].external_ref for k in order]


def test_invalid_filters_get_422_with_a_message(login, admin, account):
    response = login(admin).get("/accounts/?balance_min=abc&due_from=2026-02-31&status=bogus")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Some filters are not valid" in body and "Balance from" in body and "Due from" in body


def test_pagination_links_keep_the_filters(app, login, admin, agency):
    for _ in range(app.config["PAGE_SIZE"] + 2):
        f.AccountFactory(agency=agency, priority=2)
    web = login(admin)
    first = web.get("/accounts/?priority=2").get_data(as_text=True)
    assert "page=2" in first and "priority=2" in first and 'rel="next"' in first
    second = web.get("/accounts/?priority=2&page=2").get_data(as_text=True)
    assert len(re.findall(r">(ACC-\d+)</a>", second)) == 2 and 'rel="prev"' in second


def test_account_page_full_and_fragment(login, collector, assigned_account):
    assigned_account.debtor.ssn_last4 = "6789"
    web = login(collector)
    page = web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert "<html" in page and "***-**-6789" in page and "tel:" in page and "mailto:" in page
    fragment = web.get(f"/accounts/{assigned_account.id}", htmx=True, target="account-main").get_data(as_text=True)
    assert "<html" not in fragment and 'id="account-main"' in fragment


def test_account_page_offers_only_valid_targets(login, collector, assigned_account):
    body = login(collector).get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    offered = set(re.findall(r'<option value="(\w+)">', body))
    assert {"in_contact", "closed", "disputed"} <= offered
    assert not offered & {"negotiating", "settled", "payment_plan", "new"}


def test_adding_a_note_redirects_back_with_303(login, collector, assigned_account):
    web = login(collector)
    response = web.post(f"/accounts/{assigned_account.id}/notes", {"body": "Left voicemail"}, htmx=True)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/accounts/{assigned_account.id}")
    page = web.get(f"/accounts/{assigned_account.id}", htmx=True, target="account-main").get_data(as_text=True)
    assert "Left voicemail" in page and "Note added." in page


def test_empty_note_rerenders_the_block_with_422(login, collector, assigned_account):
    response = login(collector).post(
        f"/accounts/{assigned_account.id}/notes", {"body": ""}, htmx=True, target="account-main"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in body and "This field is required." in body


def test_refused_status_change_shows_the_reason(login, collector, assigned_account):
    response = login(collector).post(f"/accounts/{assigned_account.id}/status", {"status": "settled"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot move to Settled" in body
    assert assigned_account.status == Status.ASSIGNED


def test_status_change_updates_the_account(login, collector, assigned_account):
    response = login(collector).post(f"/accounts/{assigned_account.id}/status", {"status": "in_contact"})
    assert response.status_code == 303
    assert assigned_account.status == Status.IN_CONTACT


def test_admin_reassigns_from_the_account_page(login, admin, assigned_account, other_collector):
    response = login(admin).post(f"/accounts/{assigned_account.id}/assignment", {"collector_id": other_collector.id})
    assert response.status_code == 303
    assert assigned_account.assigned_collector_id == other_collector.id


def test_timeline_pages_newest_first_with_more(login, collector, assigned_account):
    from app.accounts import services

    for n in range(20):
        services.add_note(assigned_account.id, f"note number {n}", actor=collector)
    web = login(collector)
    page = web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert page.index("note number 19") < page.index("note number 18")
    assert "note number 4" not in page and 'id="timeline-more"' in page
    more = web.get(f"/accounts/{assigned_account.id}/timeline?page=2", htmx=True).get_data(as_text=True)
    assert "<html" not in more and "note number 4" in more and "note number 19" not in more
    no_js = web.get(f"/accounts/{assigned_account.id}?page=2").get_data(as_text=True)
    assert "note number 19" in no_js and "note number 4" in no_js


ACCOUNT_ROUTES = [
    ("get", "/accounts/{id}", None),
    ("get", "/accounts/{id}/timeline?page=2", None),
    ("post", "/accounts/{id}/notes", {"body": "hi"}),
    ("post", "/accounts/{id}/status", {"status": "in_contact"}),
]


@pytest.mark.parametrize("method,route,data", ACCOUNT_ROUTES)
@pytest.mark.parametrize("who", ["other_collector", "foreign_admin", "foreign_collector"])
def test_foreign_accounts_answer_exactly_like_a_missing_id(
    request, login, assigned_account, foreign, who, method, route, data
):
    viewer = {"foreign_admin": foreign.admin, "foreign_collector": foreign.collector}.get(
        who
    ) or request.getfixturevalue(who)
    web = login(viewer)
    call = (lambda url: web.get(url)) if method == "get" else (lambda url: web.post(url, data))
    foreign_response = call(route.format(id=assigned_account.id))
    missing_response = call(route.format(id=MISSING_ID))
    assert foreign_response.status_code == missing_response.status_code == 404
    assert main_of(foreign_response) == main_of(missing_response)
    assert assigned_account.status == Status.ASSIGNED


def test_assignment_of_a_foreign_account_is_404_for_admins(login, foreign, other_collector):
    response = login(foreign.admin).post(f"/accounts/{foreign.account.id}/assignment", {"collector_id": 1})
    assert response.status_code == 422  # own account, unknown collector
    mine_elsewhere = login(foreign.admin).post(f"/accounts/{MISSING_ID}/assignment", {"collector_id": 1})
    assert mine_elsewhere.status_code == 404


@pytest.mark.parametrize(
    "method,url",
    [("get", "/accounts/"), ("get", "/audit/"), ("post", "/accounts/{id}/assignment")],
)
def test_collectors_get_403_on_admin_pages(login, collector, assigned_account, method, url):
    web = login(collector)
    url = url.format(id=assigned_account.id)
    response = web.get(url) if method == "get" else web.post(url, {"collector_id": collector.id})
    assert response.status_code == 403


def test_admins_get_403_on_the_collector_worklist(login, admin):
    assert login(admin).get("/worklist").status_code == 403


def test_htmx_403_is_a_fragment_retargeted_to_flash(login, collector):
    response = login(collector).get("/accounts/", htmx=True, target="account-table")
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#flash"
    assert "<html" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/worklist", "/accounts/", "/accounts/1", "/audit/"])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    hx = client.get(url, headers={"HX-Request": "true"})
    assert hx.status_code == 401 and "/login" in hx.headers["HX-Redirect"]


def test_aging_filter_lists_open_accounts_of_the_bucket(login, admin, agency, collector):
    today = date.today()  # the test agency is in New York; keep clear of the bucket edges
    inside = f.AccountFactory(agency=agency, due_date=today - timedelta(days=45))
    closed = f.walk_to(
        f.AccountFactory(agency=agency, due_date=today - timedelta(days=45)),
        Status.CLOSED,
        admin=admin,
        collector=collector,
    )
    younger = f.AccountFactory(agency=agency, due_date=today - timedelta(days=10))
    body = login(admin).get("/accounts/?aging=31_60").get_data(as_text=True)
    assert inside.external_ref in body
    assert closed.external_ref not in body and younger.external_ref not in body


def test_unknown_aging_bucket_is_422(login, admin):
    assert login(admin).get("/accounts/?aging=1000_plus").status_code == 422
