"""An admin distributes a filtered selection across three collectors, in a real browser."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_journeys import ADMIN, login

THREE = ("Sarah Mitchell", "James Carter", "Maria Gonzalez")


def test_admin_distributes_all_matching_accounts_across_three_collectors(page: Page):
    login(page, ADMIN, lands_on="/analytics/")
    page.goto("/accounts/")
    page.get_by_label("Status").select_option(label="New")
    page.get_by_label("Collector").select_option(label="Unassigned")
    expect(page).to_have_url(re.compile(r"collector=0"))
    expect(page.locator('#bulk-form input[name="match"]')).to_have_value(re.compile(r"status=new.*collector=0"))
    matching = page.locator("#account-rows tr").count()
    assert matching > 0

    page.get_by_role("button", name="Select all matching these filters").click()
    expect(page.locator("#bulk-selection")).to_contain_text(f"{matching} account")
    for name in THREE:
        page.get_by_label(re.compile(f"^{name}")).check()
    page.get_by_label("Distribute").select_option("round_robin")
    page.get_by_role("button", name=re.compile(r"^Assign \d+ accounts")).click()

    expect(page).to_have_url(re.compile(r"/accounts/bulk/\d+$"))
    expect(page.locator("#operation-status")).to_contain_text(f"{matching} assigned.")
    page.get_by_role("link", name="← Accounts").click()
    expect(page.locator("#account-rows")).to_contain_text("No accounts match these filters.")
    page.goto("/accounts/?status=assigned")
    collectors = set(page.locator("#account-rows tr td:last-child").all_inner_texts())
    assert set(THREE[: min(matching, 3)]) <= collectors


def test_without_javascript_picked_rows_get_a_new_priority(new_page):
    page = new_page(java_script=False)
    login(page, ADMIN, lands_on="/analytics/")
    page.goto("/accounts/")
    page.get_by_label("Status").select_option(label="In contact")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("#account-rows tr")
    refs = [rows.nth(i).get_by_role("link").inner_text() for i in range(2)]
    for ref in refs:
        page.get_by_label(f"Select {ref}").check()
    page.get_by_role("button", name="Bulk change selected").click()
    expect(page.locator("#bulk-selection")).to_contain_text("2 accounts picked on the list")

    page.locator("#bulk-priority").get_by_label("Priority").select_option("P0 · low")
    page.get_by_role("button", name="Set priority").click()
    expect(page.locator("#operation-status")).to_contain_text("Priority set to P0 · low on")
    for ref in refs:
        page.goto(f"/accounts/?q={ref}")
        expect(page.locator("#account-rows tr").first.locator(".prio")).to_have_text("P0 · low")
