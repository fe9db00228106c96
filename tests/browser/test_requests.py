"""Recording a dispute with its letter on the account page, with htmx (a multipart upload) and without JavaScript.

Closed accounts are used: a dispute there holds collection (and shows XB) without moving the account's status, so
the other journeys' lists stay as they were."""

from playwright.sync_api import Page, expect

from tests.browser.test_journeys import ADMIN, login


def open_closed_account(page: Page, index: int) -> None:
    page.goto("/accounts/?status=closed")
    page.locator("#account-rows a").nth(index).click()
    expect(page.locator("#requests-card")).to_be_visible()


def record(page: Page, kind: str, filename: str) -> None:
    card = page.locator("#requests-card")
    card.get_by_text("Record a dispute or request…").click()
    card.locator("select[name='request-kind']").select_option(kind)  # a label's text holds its options' too
    card.locator("select[name='request-channel']").select_option("letter")
    card.get_by_label("Document (the letter, the email, the court notice)").set_input_files(
        {"name": filename, "mimeType": "application/pdf", "buffer": b"%PDF-1.4 I dispute this debt"}
    )
    card.get_by_role("button", name="Record", exact=True).click()


def test_an_admin_records_a_written_dispute_with_its_letter(page: Page):
    login(page, ADMIN, lands_on="/analytics/")
    open_closed_account(page, 0)
    record(page, "dispute", "dispute-letter.pdf")
    expect(page.locator(".flash-success")).to_contain_text("Request recorded.")
    expect(page.locator("#hold-badge")).to_be_visible()
    expect(page.locator("#xb-badge")).to_be_visible()
    expect(page.locator("#requests-card").get_by_role("link", name="dispute-letter.pdf")).to_be_visible()


def test_without_javascript_a_request_is_recorded_too(new_page):
    page = new_page(java_script=False)
    login(page, ADMIN, lands_on="/analytics/")
    open_closed_account(page, 1)
    card = page.locator("#requests-card")
    card.locator("summary", has_text="Record a dispute or request…").click()  # <details> opens without JS
    record_fields = card.locator("form").last
    record_fields.locator("select[name='request-kind']").select_option("cease")
    record_fields.get_by_label("Document (the letter, the email, the court notice)").set_input_files(
        {"name": "stop-calling.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 Stop calling me"}
    )
    record_fields.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Request recorded.")
    expect(card.locator(".request-list")).to_contain_text("Cease-communication request")
