"""The admin's dashboard in a real browser: lazy panels, trend granularity switch, aging drill-down."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_journeys import ADMIN, assert_not_reloaded, login, mark_page


def test_admin_switches_trend_granularity_and_drills_into_an_aging_bucket(page: Page):
    login(page, ADMIN, lands_on="/analytics/")
    expect(page.locator("#figures dl.figures")).to_be_visible()  # the lazy panels filled themselves in
    expect(page.locator("#trend svg.chart")).to_be_visible()
    mark_page(page)

    page.get_by_label("Granularity").select_option("month")

    expect(page.locator("#trend-table thead")).to_contain_text("Month starting")
    starts = page.locator("#trend-table tbody tr td:first-child").all_text_contents()  # table view is folded
    assert starts and all(re.fullmatch(r"\d{4}-\d{2}-01", s) for s in starts)  # the range, now per month
    assert_not_reloaded(page)

    bucket = page.locator("#aging tbody tr").filter(has_not=page.locator("td.num", has_text=re.compile(r"^0$"))).first
    label = bucket.locator("a").inner_text()
    count = int(bucket.locator("td.num").first.inner_text())
    bucket.locator("a").click()

    expect(page).to_have_url(re.compile(r"/accounts/\?aging=\w+"))
    expect(page.get_by_label("Aging")).to_have_value(re.compile(r"\w+"))
    expect(page.locator("#account-rows tr")).to_have_count(min(count, 25))
    assert label  # the bucket the admin clicked is the one the list is filtered to
    expect(page.get_by_label("Aging").locator("option:checked")).to_have_text(label)
