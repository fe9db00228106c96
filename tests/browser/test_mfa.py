"""Two-factor sign-in in a real browser: enrolment from the QR code page, then a sign-in with a TOTP code."""

import re
from datetime import timedelta

import pyotp
from playwright.sync_api import Page, expect

from app.timeutil import utcnow
from tests import factories as f

LI_WEI = ("li.wei", "Collector@2026")
OMAR = ("omar.haddad", "Collector@2026")


def password_step(page: Page, user: tuple[str, str]) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(user[0])
    page.get_by_label("Password").fill(user[1])
    page.get_by_role("button", name="Sign in").click()


def code_step(page: Page, code: str) -> None:
    expect(page).to_have_url(re.compile(r"/login/code$"))
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verify").click()


def test_a_collector_enrols_from_the_qr_page_then_signs_in_with_a_code(page: Page):
    password_step(page, LI_WEI)
    page.get_by_role("link", name="Two-factor").click()
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.locator("#mfa-qr svg")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text()
    f.away_from_step_end()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=30)))
    page.get_by_label("Your password").fill(LI_WEI[1])
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="Log out").click()
    password_step(page, LI_WEI)
    code_step(page, pyotp.TOTP(secret).now())
    expect(page).to_have_url(re.compile(r"/worklist$"))


def test_a_user_enrolled_by_the_helper_signs_in_with_the_current_code(page: Page, enrol_in_mfa):
    secret = enrol_in_mfa(*OMAR)
    password_step(page, OMAR)
    code_step(page, pyotp.TOTP(secret).now())
    expect(page).to_have_url(re.compile(r"/worklist$"))
