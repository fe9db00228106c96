"""The main journeys in a real browser: collector worklist and account actions, admin reassignment, no-JS."""

import re
import uuid

from playwright.sync_api import Page, expect

from app.accounts.states import Status, allowed_targets

ADMIN = ("demo.admin", "Demo@2026")
SARAH = ("sarah.mitchell", "Collector@2026")
JAMES = ("james.carter", "Collector@2026")
ACCOUNT_URL = re.compile(r"/accounts/\d+(\?list=[^#]*)?$")  # opened from a list: it carries the list


def login(page: Page, user: tuple[str, str], lands_on: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(user[0])
    page.get_by_label("Password").fill(user[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(lands_on) + "$"))


def mark_page(page: Page) -> None:
    """Tag the loaded document; the tag survives htmx swaps but not a full page load."""
    page.evaluate("window.__journeyMarker = 'still here'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__journeyMarker") == "still here"


def fact(page: Page, label: str):
    """The value next to a label in the account summary's fact list."""
    return page.locator("dt", has_text=label).locator("xpath=following-sibling::dd[1]")


def timeline_top(page: Page):
    return page.locator(".timeline-list li.entry").first


def status_shown_in_rows(page: Page) -> list[str]:
    classes = page.locator("#account-rows .badge").evaluate_all("els => els.map(e => e.className)")
    return [re.search(r"status-(\w+)", c).group(1) for c in classes]


def workable(status: str) -> bool:
    """A status with a user move to something other than closed, so the account page offers a real choice."""
    return any(target != Status.CLOSED for target in allowed_targets(Status(status)))


def test_collector_filters_worklist_and_works_an_account(page: Page):
    login(page, SARAH, lands_on="/worklist")
    status = next(s for s in status_shown_in_rows(page) if workable(s))
    mark_page(page)

    page.get_by_label("Status").select_option(status)

    expect(page).to_have_url(re.compile(rf"[?&]status={status}\b"))
    rows = page.locator("#account-rows tr")
    expect(rows.locator(f".badge:not(.status-{status})")).to_have_count(0)
    expect(rows.first.locator(".badge")).to_have_class(re.compile(rf"\bstatus-{status}\b"))
    expect(page.locator("#account-table")).to_have_count(1)
    assert_not_reloaded(page)

    rows.first.get_by_role("link").click()
    expect(page).to_have_url(ACCOUNT_URL)
    mark_page(page)

    note = f"Called, left a voicemail ({uuid.uuid4().hex[:8]})"
    page.get_by_label("Note", exact=True).fill(note)
    page.get_by_role("button", name="Add note").click()
    expect(timeline_top(page).locator(".what")).to_have_text(note)
    expect(fact(page, "Last contact")).to_have_text(timeline_top(page).locator(".when").inner_text())
    expect(page.get_by_text("Note added.")).to_have_count(1)

    target = next(t for t in allowed_targets(Status(status)) if t != Status.CLOSED)
    page.get_by_label("New status").select_option(target.value)
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#account-title .badge")).to_have_text(target.label)
    expect(page.get_by_label("New status").locator("option")).to_have_text([s.label for s in allowed_targets(target)])
    assert_not_reloaded(page)


def other_collector_with_room(select, current: str) -> tuple[str, str]:
    """(value, name) of an assignment option ("Name (max N open)") for another collector.

    The demo gives every collector room (max 40, at most about 20 open each)."""
    options = select.locator("option").evaluate_all("els => els.map(e => [e.value, e.textContent])")
    for value, label in options:
        name = re.fullmatch(r"(.+) \(max \d+ open\)", label.strip()).group(1)
        if name != current:
            return value, name
    raise AssertionError(f"no other collector among {options}")


def test_admin_reassigns_an_account(page: Page):
    login(page, ADMIN, lands_on="/analytics/")
    page.get_by_role("link", name="All accounts").click()
    # Closed accounts cannot be reassigned; any other account with a collector can.
    assigned_row = (
        page.locator("#account-rows tr")
        .filter(has_not_text="Unassigned")
        .filter(has_not=page.locator(".status-closed"))
        .first
    )
    previous = assigned_row.locator("td").last.inner_text()
    assigned_row.get_by_role("link").click()
    expect(page).to_have_url(ACCOUNT_URL)
    expect(page.locator("#assigned-collector")).to_have_text(previous)
    mark_page(page)

    collector = page.get_by_label("Collector")
    value, new_name = other_collector_with_room(collector, previous)
    collector.select_option(value)
    page.get_by_role("button", name="Reassign").click()

    expect(page.locator("#assigned-collector")).to_have_text(new_name)
    expect(timeline_top(page)).to_have_class(re.compile(r"\bkind-assignment\b"))
    expect(timeline_top(page).locator(".what")).to_have_text(f"Assigned to {new_name} (was {previous})")
    assert_not_reloaded(page)


def test_account_page_works_without_javascript(new_page):
    page = new_page(java_script=False)
    login(page, JAMES, lands_on="/worklist")
    page.locator("#account-rows tr").first.get_by_role("link").click()
    expect(page).to_have_url(ACCOUNT_URL)
    account_url = page.url

    note = f"Debtor asked for a call back ({uuid.uuid4().hex[:8]})"
    page.get_by_label("Note", exact=True).fill(note)
    page.get_by_role("button", name="Add note").click()

    expect(page).to_have_url(account_url)
    expect(timeline_top(page).locator(".what")).to_have_text(note)
    expect(page.get_by_text("Note added.")).to_have_count(1)
