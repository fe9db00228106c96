"""A collector opens an account at its call limit, tries to log a call, reads why and until when it is refused,
and moves on to the next account."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from app.accounts.models import Account
from app.compliance.contacts import refresh_contact_block
from app.compliance.models import Channel, ContactAttempt, Direction, Outcome
from app.extensions import db
from app.timeutil import utcnow
from tests.browser.test_journeys import SARAH, login


def put_at_the_limit(live_app, account_id: int) -> None:
    """Seven call attempts on the account in the last hours, as a dialer would have logged them."""
    with live_app.app_context():
        account = db.session.get(Account, account_id)
        for hour in range(7):
            db.session.add(ContactAttempt(
                agency_id=account.agency_id, account_id=account.id, user_id=account.assigned_collector_id,
                channel=Channel.CALL, direction=Direction.OUTBOUND, outcome=Outcome.VOICEMAIL,
                at=utcnow() - timedelta(hours=7 - hour),
            ))  # fmt: skip
        refresh_contact_block(account)
        db.session.commit()
        db.session.remove()


def test_a_collector_reads_why_a_call_is_refused_and_moves_to_the_next_account(page: Page, live_app, problems):
    login(page, SARAH, lands_on="/worklist")
    page.goto("/worklist?sort=created&dir=asc")
    first = page.locator("#account-rows tr").first.get_by_role("link").first
    account_id = int(re.search(r"/accounts/(\d+)", first.get_attribute("href")).group(1))
    put_at_the_limit(live_app, account_id)
    first.click()
    expect(page).to_have_url(re.compile(rf"/accounts/{account_id}\?"))

    can_call = page.locator("#can-call")
    expect(can_call).to_contain_text("Can call now: no")
    expect(can_call).to_contain_text("7 of 7 call attempts in 7 days")
    expect(can_call).to_contain_text("allowed again")

    page.locator("#contact-channel").select_option("call")
    page.get_by_role("button", name="Log contact").click()
    refusal = page.locator("#contact-form .form-errors")
    expect(refusal).to_contain_text("Not allowed now: 7 of 7 call attempts in 7 days")
    expect(refusal).to_contain_text("Allowed again")
    # Chromium reports every 4xx reply on the console; this one (the refusal, 422) is the answer expected
    expected = [p for p in problems.items if "status of 422" in p and f"/accounts/{account_id}/contacts" in p]
    assert len(expected) == 1
    problems.items.remove(expected[0])

    page.locator("#next-account").click()
    expect(page).to_have_url(re.compile(r"/accounts/(\d+)"))
    assert f"/accounts/{account_id}?" not in page.url and page.url.rstrip("/") != f"/accounts/{account_id}"
    expect(page.locator("#compliance-panel")).to_be_visible()
