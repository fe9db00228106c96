"""A collector agrees a payment plan on the account page in a real browser: preview, confirm, cancel (htmx, no page
load), with axe-core finding nothing serious on the plan card."""

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.test_axe import violations
from tests.browser.test_journeys import JAMES, assert_not_reloaded, login, mark_page


def open_account_in(page: Page, status: str) -> None:
    page.goto(f"/worklist?status={status}")
    page.locator("#account-rows a").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/\d+"))


def test_a_collector_previews_confirms_and_cancels_a_plan(page: Page):
    login(page, JAMES, lands_on="/worklist")
    open_account_in(page, "negotiating")
    card = page.locator("#plans-card")
    mark_page(page)
    card.get_by_label("Amount (the total agreed)").fill("10.00")
    card.get_by_label("First due date").fill((date.today() + timedelta(days=2)).isoformat())
    card.get_by_label("Number of instalments").fill("2")
    card.get_by_role("button", name="Preview the schedule").click()

    expect(card.locator(".plan-preview")).to_contain_text("Schedule: 2 instalments")
    expect(card.locator(".plan-preview li")).to_have_text([re.compile(r"\$5\.00$"), re.compile(r"\$5\.00$")])
    card.get_by_role("button", name="Confirm this schedule").click()

    expect(page.locator(".flash")).to_contain_text("Agreed")
    expect(card.locator("table.instalments tbody tr")).to_have_count(2)
    assert_not_reloaded(page)
    card.get_by_role("button", name="Cancel the plan").click()
    expect(page.locator(".flash")).to_contain_text("Plan cancelled.")
    expect(card.locator(".plan").first).to_contain_text("Cancelled")
    assert_not_reloaded(page)
    assert violations(page, page.url) == []
