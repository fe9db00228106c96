"""A debtor follows a reminder's opt-out link on a phone (390 × 844) with JavaScript off, reads what it will do,
confirms, and the address is opted out; axe-core finds no serious violation on the page, in English or Spanish."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Account
from app.compliance import points
from app.debtors.models import Debtor
from app.extensions import db
from app.reminders import optout
from tests.browser.test_axe import violations

PHONE = {"width": 390, "height": 844}


def a_link(live_app) -> tuple[str, int, str]:
    """The opt-out path of a demo account whose debtor has an email address (the path, account id, address)."""
    with live_app.app_context():
        account = db.session.scalars(
            select(Account).join(Debtor, Debtor.id == Account.debtor_id).where(Debtor.email.is_not(None))
        ).first()
        address = points.normal_email(account.debtor.email)
        path = f"/email/opt-out/{optout.make_token(account, address)}"
        db.session.remove()
        return path, account.id, address


def opted_out(live_app, account_id: int, address: str) -> bool:
    with live_app.app_context():
        answer = optout.is_opted_out(db.session.get(Account, account_id), address)
        db.session.remove()
        return answer


def test_a_debtor_opts_out_from_the_link_without_javascript(new_page, live_app):
    path, account_id, address = a_link(live_app)
    page = new_page(java_script=False)
    page.set_viewport_size(PHONE)
    page.goto(path)
    expect(page.get_by_role("heading", name="Stop emails")).to_be_visible()
    expect(page.get_by_text(address)).to_be_visible()
    page.get_by_role("button", name="Yes, stop emails").click()
    expect(page.get_by_role("status")).to_contain_text(f"We will send no more emails to {address}")
    assert opted_out(live_app, account_id, address)


def test_the_opt_out_page_has_no_serious_violations(page, live_app):
    path, _, _ = a_link(live_app)
    page.set_viewport_size(PHONE)
    assert violations(page, path) + violations(page, f"{path}?lang=es") == []
