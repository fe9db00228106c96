"""Imports in a real browser: the demo admin presses "Check now" and reads the rejected row of a sample file."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_journeys import ADMIN, login


def test_admin_checks_the_demo_drop_folder_and_reads_the_errors(page: Page):
    login(page, ADMIN, lands_on="/analytics/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Imports")).to_be_visible()
    page.get_by_role("button", name="Check now").click()
    placements = page.locator("#job-table tbody tr", has_text="placement-")  # beside the demo's own seven jobs
    expect(placements).to_have_count(3)
    expect(placements.first.locator(".badge")).to_have_text(re.compile(r"^Completed"))
    page.get_by_role("link", name=re.compile(r"placement-2-")).click()
    expect(page.locator("#job-status .badge")).to_have_text("Completed with errors")
    expect(page.locator("#job-status")).not_to_have_attribute("hx-trigger", re.compile("every"))
    errors = page.locator("#row-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.first).to_contain_text("6")
    expect(page.get_by_role("link", name="Download the error report (CSV)")).to_be_visible()
