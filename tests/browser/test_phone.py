"""Phone width (390 × 844): no page scrolls sideways; wide tables scroll inside their own box; the top bar's links
fold behind a "Menu" that opens without JavaScript."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import ADMIN, JAMES, login

PHONE = {"width": 390, "height": 844}
ADMIN_PAGES = [
    "/analytics/",
    "/accounts/",
    "/payments/",
    "/imports/",
    "/imports/sources/",
    "/audit/",
    "/settings/",
    "/settings/collectors/",
    "/settings/collectors/new",
    "/settings/users/",
    "/imports/sources/new",
    "/account/sessions",
    "/account/password",
    "/account/mfa/",
]
COLLECTOR_PAGES = ["/worklist", "/payments/"]


def phone_page(new_page, java_script: bool = True) -> Page:
    page = new_page(java_script=java_script)
    page.set_viewport_size(PHONE)
    return page


def assert_fits(page: Page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")  # the dashboard's panels fill themselves in first
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] == widths[1], f"{path} is {widths[0]} px wide in a {widths[1]} px window"


@pytest.mark.parametrize("java_script", [True, False])
def test_admin_pages_fit_a_phone(new_page, java_script):
    page = phone_page(new_page, java_script)
    login(page, ADMIN, lands_on="/analytics/")
    for path in ADMIN_PAGES:
        assert_fits(page, path)
    for listing, link in [("/accounts/", "#account-rows a"), ("/imports/", "#job-table tbody a")]:
        page.goto(listing)
        assert_fits(page, page.locator(link).first.get_attribute("href"))


def test_collector_pages_fit_a_phone(new_page):
    page = phone_page(new_page)
    login(page, JAMES, lands_on="/worklist")
    for path in COLLECTOR_PAGES:
        assert_fits(page, path)
    page.goto("/worklist")
    assert_fits(page, page.locator("#account-rows a").first.get_attribute("href"))


def test_the_menu_folds_and_opens_without_javascript(new_page):
    page = phone_page(new_page, java_script=False)
    login(page, ADMIN, lands_on="/analytics/")
    payments = page.get_by_role("navigation", name="Main").get_by_role("link", name="Payments")
    expect(payments).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(payments).to_be_visible()
    payments.click()
    expect(page.get_by_role("heading", name="Payments", exact=True)).to_be_visible()


def test_a_wide_table_scrolls_inside_its_box(new_page):
    page = phone_page(new_page)
    login(page, ADMIN, lands_on="/analytics/")
    page.goto("/payments/")
    table = page.locator("table.payments-list")
    sizes = table.evaluate("t => [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto"
