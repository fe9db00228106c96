"""Accessibility: axe-core (pinned in package.json, copied to static/vendor by ``make static``) run on the main pages;
any "serious" or "critical" violation fails. The script is read from disk and evaluated through the browser's
debugging protocol, so it needs no network and no change to the pages' Content-Security-Policy."""

from pathlib import Path

from playwright.sync_api import Page

from tests.browser.test_journeys import ADMIN, JAMES, login

AXE = Path(__file__).parents[2] / "static" / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
ADMIN_PAGES = [
    "/analytics/",
    "/accounts/",
    "/payments/",
    "/imports/",
    "/imports/sources/",
    "/settings/",
    "/plans/settings",
    "/settings/compliance",
    "/audit/",
    "/compliance/",
    "/settings/dispute-policy",
]


def violations(page: Page, path: str) -> list[str]:
    """The serious and critical axe findings on ``path``, one line each (rule, impact, first elements)."""
    page.goto(path)
    page.wait_for_load_state("networkidle")  # lazy panels filled in
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def test_axe_core_is_the_pinned_copy():
    assert AXE.exists(), "run `make static` to copy axe-core into static/vendor"
    assert "axe v4.14.1" in AXE.read_text(encoding="utf-8")[:400]


def test_login_page_has_no_serious_violations(page: Page):
    assert violations(page, "/login") == []


def test_admin_pages_have_no_serious_violations(page: Page):
    login(page, ADMIN, lands_on="/analytics/")
    found = [line for path in ADMIN_PAGES for line in violations(page, path)]
    page.goto("/imports/")
    found += violations(page, page.locator("#job-table tbody a").first.get_attribute("href"))
    page.goto("/compliance/")  # the demo's account on hold: its requests section, with a held dispute
    found += violations(page, page.locator("#on-hold tbody a").first.get_attribute("href"))
    assert found == []


def test_collector_pages_have_no_serious_violations(page: Page):
    login(page, JAMES, lands_on="/worklist")
    found = violations(page, "/worklist") + violations(page, "/payments/")
    page.goto("/worklist")
    found += violations(page, page.locator("#account-rows a").first.get_attribute("href"))
    assert found == []


def test_the_check_does_fail_on_a_serious_violation(page: Page):
    page.set_content(
        "<!doctype html><html><head><title>t</title></head><body><main><button></button></main></body></html>"
    )
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert {(v["id"], v["impact"]) for v in results["violations"]} >= {("button-name", "critical")}
