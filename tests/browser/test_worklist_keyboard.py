"""A collector works three accounts in a row from the worklist with "Save and next", using only the keyboard."""

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.test_journeys import login

MARIA = ("maria.gonzalez", "Collector@2026")  # a demo collector the other journeys leave alone


def worklist_refs(page: Page) -> list[str]:
    return page.locator("#account-rows tr td:first-child a").all_inner_texts()


def arrive(page: Page, ref: str) -> None:
    """The account page of ``ref`` is loaded, its deferred shortcuts script included."""
    expect(page.locator("#account-title")).to_contain_text(ref)
    page.wait_for_load_state()


def test_a_collector_works_three_accounts_in_a_row_with_the_keyboard(page: Page):
    login(page, MARIA, lands_on="/worklist")
    refs = worklist_refs(page)
    expect(page.locator("#account-rows .why").first).to_contain_text("follow-up")  # the demo's, due today
    assert len(refs) >= 4

    page.locator("#account-rows tr td:first-child a").first.focus()
    page.keyboard.press("Enter")
    notes = []
    for ref, following in zip(refs[:3], refs[1:4], strict=True):
        arrive(page, ref)
        page.keyboard.press("n")  # focuses the note
        expect(page.get_by_label("Note", exact=True)).to_be_focused()
        notes.append(f"Keyboard note on {ref} ({uuid.uuid4().hex[:6]})")
        page.keyboard.type(notes[-1])
        page.keyboard.press("Control+Enter")  # Save and next
        arrive(page, following)
        expect(page.get_by_text("Note added.")).to_have_count(1)

    page.keyboard.press("s")  # the status shortcut
    expect(page.get_by_label("New status")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("j")  # next account, without saving anything
    expect(page.locator("#account-title")).to_contain_text(refs[4] if len(refs) > 4 else refs[3])
    expect(page).to_have_url(re.compile(r"seen=\d+(,\d+){3}"))

    page.goto("/worklist?status=all&q=" + refs[0].lower())
    page.locator("#account-rows tr td:first-child a").first.click()
    expect(page.locator(".timeline-list li.entry .what").first).to_have_text(notes[0])


def test_shortcuts_do_not_fire_while_typing(page: Page):
    login(page, MARIA, lands_on="/worklist")
    page.locator("#account-rows tr td:first-child a").first.click()
    page.wait_for_url(re.compile(r"/accounts/\d+"))
    page.wait_for_load_state()  # the shortcuts' script (deferred) has run
    url = page.url
    page.keyboard.press("n")
    expect(page.get_by_label("Note", exact=True)).to_be_focused()
    page.keyboard.type("just typing j and s and /")
    expect(page.get_by_label("Note", exact=True)).to_have_value("just typing j and s and /")
    assert page.url == url
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
