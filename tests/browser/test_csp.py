"""The main pages in a real browser under the Content-Security-Policy: no violation, no console message at all.

``Problems`` (conftest) turns every ``securitypolicyviolation`` event into a failure for all browser tests; here
the main pages are walked on purpose, including their lazy htmx panels and an htmx action, and even console
warnings count.
"""

import re
import uuid

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import ACCOUNT_URL, ADMIN, SARAH, login, timeline_top
from tests.browser.test_mfa import code_step, password_step

NORTHWIND_ADMIN = ("nw.admin", "Demo@2026")  # no other browser test signs in as them: enrolling changes nothing else

ADMIN_PAGES = [
    "/analytics/",
    "/accounts/",
    "/payments/",
    "/imports/",
    "/imports/sources/",
    "/audit/",
    "/settings/",
    "/settings/collectors/",
]


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response.ok, f"{path}: {response.status}"
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", response.headers["content-security-policy"])
    page.wait_for_load_state("networkidle")  # lazy panels (hx-trigger load/revealed) have been fetched


def add_note_to_first_account(page: Page) -> None:
    page.locator("#account-rows tr").first.get_by_role("link").click()
    expect(page).to_have_url(ACCOUNT_URL)
    note = f"CSP walk ({uuid.uuid4().hex[:8]})"
    page.get_by_label("Note", exact=True).fill(note)
    page.get_by_role("button", name="Add note").click()  # an htmx POST swapping the timeline
    expect(timeline_top(page).locator(".what")).to_have_text(note)


def test_admin_pages_and_an_htmx_action_run_without_csp_violations(page: Page, problems):
    login(page, ADMIN, lands_on="/analytics/")
    expect(page.locator("#trend svg.chart")).to_be_visible()
    for path in ADMIN_PAGES:
        visit(page, path)
    visit(page, "/accounts/")
    add_note_to_first_account(page)
    assert problems.items == [] and problems.messages == []


def test_an_admin_signed_in_with_mfa_walks_the_main_pages_without_csp_violations(page: Page, problems, enrol_in_mfa):
    secret = enrol_in_mfa(*NORTHWIND_ADMIN)
    password_step(page, NORTHWIND_ADMIN)
    code_step(page, pyotp.TOTP(secret).now())
    expect(page).to_have_url(re.compile(r"/analytics/$"))
    for path in ADMIN_PAGES:
        visit(page, path)
    visit(page, "/account/mfa/")
    visit(page, "/accounts/")
    add_note_to_first_account(page)
    assert problems.items == [] and problems.messages == []


def test_collector_worklist_and_account_page_run_without_csp_violations(page: Page, problems):
    login(page, SARAH, lands_on="/worklist")
    visit(page, "/worklist")
    page.get_by_label("Status").select_option(index=1)  # htmx swaps the table in place
    page.wait_for_load_state("networkidle")
    visit(page, "/payments/")
    visit(page, "/worklist")
    add_note_to_first_account(page)
    assert problems.items == [] and problems.messages == []
