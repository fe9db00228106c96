"""TOTP multi-factor authentication: enrolment, the second sign-in step, recovery codes, replay, lockout."""

import re
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app.agencies.models import Agency
from app.audit.models import AuditEvent
from app.auth import lockout, mfa
from app.auth.models import RecoveryCode
from app.errors import ValidationFailed
from app.extensions import db
from app.timeutil import utcnow
from tests import factories as f

SECRET_ON_PAGE = re.compile(r'id="mfa-secret">([A-Z2-7]+)<')
CODE_ON_PAGE = re.compile(r"<li>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</li>")


def actions_of(user) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == str(user.id))
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def code_at(secret: str, seconds_ago: int = 0) -> str:
    return pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=seconds_ago))


def sign_in_with_code(web, user, code: str):
    """Both steps of the sign-in; returns the second step's response."""
    first = web.login(user)
    assert first.status_code == 303 and first.headers["Location"] == "/login/code"
    return web.post("/login/code", {"code": code})


@pytest.fixture
def enrolled(admin):
    """``admin`` with MFA on; yields (user, secret)."""
    return admin, f.enrol_mfa(admin)


def test_enrolment_page_shows_the_secret_as_an_inline_svg_qr_code_and_as_text(login, admin):
    response = login(admin).get("/account/mfa/setup")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET_ON_PAGE.search(page).group(1)
    assert "<svg" in page and "<img" not in page
    assert admin.mfa_secret == secret and secret not in admin.mfa_secret_encrypted  # stored encrypted
    assert not admin.mfa_enabled


def test_enrolment_with_password_and_code_turns_mfa_on_and_shows_ten_recovery_codes_once(login, admin):
    web = login(admin)
    secret = SECRET_ON_PAGE.search(web.get("/account/mfa/setup").get_data(as_text=True)).group(1)
    f.away_from_step_end()
    response = web.post("/account/mfa/setup", {"code": code_at(secret, 30), "password": f.PASSWORD})
    codes = CODE_ON_PAGE.findall(response.get_data(as_text=True))
    assert response.status_code == 200 and len(set(codes)) == 10
    assert admin.mfa_enabled and actions_of(admin)[-1] == "auth.mfa_enabled"
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == admin.id)))
    assert len(stored) == 10 and not stored & set(codes)  # hashes only
    assert CODE_ON_PAGE.findall(web.get("/account/mfa/").get_data(as_text=True)) == []


@pytest.mark.parametrize("field", ["password", "code"])
def test_enrolment_needs_the_password_and_a_right_code(login, admin, field):
    web = login(admin)
    secret = SECRET_ON_PAGE.search(web.get("/account/mfa/setup").get_data(as_text=True)).group(1)
    form = {"code": code_at(secret), "password": f.PASSWORD, field: "000000x"}
    response = web.post("/account/mfa/setup", form)
    assert response.status_code == 422 and not admin.mfa_enabled


def test_sign_in_asks_for_the_code_before_opening_a_session(web, enrolled):
    user, secret = enrolled
    web.login(user)
    assert web.get("/accounts/").status_code == 302  # still anonymous: no session after the password alone
    response = web.post("/login/code", {"code": code_at(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/analytics/"
    assert web.get("/accounts/").status_code == 200
    assert actions_of(user)[-1] == "auth.login"


def test_the_previous_step_is_accepted_and_an_older_one_refused(admin):
    secret = mfa.start_enrolment(admin)
    with pytest.raises(ValidationFailed):
        mfa.enable_mfa(admin, f.PASSWORD, code_at(secret, 90), actor=admin)
    f.away_from_step_end()
    mfa.enable_mfa(admin, f.PASSWORD, code_at(secret, 30), actor=admin)
    assert admin.mfa_enabled


def test_a_code_cannot_be_used_twice(web, enrolled):
    user, secret = enrolled
    code = code_at(secret)
    assert sign_in_with_code(web, user, code).status_code == 303
    web.post("/logout")
    replay = sign_in_with_code(web, user, code)
    assert replay.status_code == 422 and mfa.CODE_REFUSED in replay.get_data(as_text=True)
    assert web.get("/accounts/").status_code == 302


def test_an_older_code_is_refused_once_a_newer_one_was_used(enrolled):
    user, secret = enrolled
    mfa.verify_second_factor(user, code_at(secret))
    with pytest.raises(ValidationFailed):
        mfa.verify_second_factor(user, code_at(secret, 30))


def test_a_wrong_code_is_refused_and_audited(web, enrolled):
    user, _ = enrolled
    response = sign_in_with_code(web, user, "123456" if code_at(enrolled[1]) != "123456" else "654321")
    assert response.status_code == 422 and web.get("/accounts/").status_code == 302
    assert actions_of(user)[-1] == "auth.login_failed"  # counted with wrong passwords (lockout)


def test_a_recovery_code_signs_in_once(web, admin):
    secret = mfa.start_enrolment(admin)
    codes = mfa.enable_mfa(admin, f.PASSWORD, code_at(secret), actor=admin)
    assert sign_in_with_code(web, admin, codes[0].upper()).status_code == 303
    assert "auth.mfa_recovery_code_used" in actions_of(admin)
    assert mfa.remaining_recovery_codes(admin) == 9
    web.post("/logout")
    assert sign_in_with_code(web, admin, codes[0]).status_code == 422
    assert sign_in_with_code(web, admin, codes[1]).status_code == 303


def test_five_wrong_codes_lock_the_account_for_fifteen_minutes(enrolled, clock):
    user, secret = enrolled
    for _ in range(lockout.MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            mfa.verify_second_factor(user, "abcdef")
    with pytest.raises(ValidationFailed, match="Too many wrong codes"):
        mfa.verify_second_factor(user, code_at(secret))
    assert lockout.is_locked(user)  # the password step refuses it too
    clock.advance(lockout.LOCK_TIME)
    mfa.verify_second_factor(user, code_at(secret))


def test_the_code_must_follow_the_password_within_five_minutes(web, enrolled):
    user, secret = enrolled
    web.login(user)
    with web.client.session_transaction() as session:
        session["second_factor"] = {**session["second_factor"], "at": session["second_factor"]["at"] - 301}
    response = web.post("/login/code", {"code": code_at(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert web.get("/accounts/").status_code == 302


def test_turning_mfa_off_needs_the_password_and_deletes_the_secret_and_codes(web, enrolled):
    user, secret = enrolled
    assert sign_in_with_code(web, user, code_at(secret)).status_code == 303
    assert web.post("/account/mfa/disable", {"password": "wrong-password"}).status_code == 422
    assert user.mfa_enabled
    assert web.post("/account/mfa/disable", {"password": f.PASSWORD}).status_code == 303
    assert not user.mfa_enabled and user.mfa_secret_encrypted is None
    assert mfa.remaining_recovery_codes(user) == 0 and actions_of(user)[-1] == "auth.mfa_disabled"


def test_new_recovery_codes_replace_the_old_ones(enrolled):
    user, _ = enrolled
    old = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    with pytest.raises(ValidationFailed):
        mfa.regenerate_recovery_codes(user, "wrong-password", actor=user)
    codes = mfa.regenerate_recovery_codes(user, f.PASSWORD, actor=user)
    new = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(codes) == 10 and not set(old) & set(new)
    assert actions_of(user)[-1] == "auth.mfa_recovery_codes_renewed"


def test_an_agency_requiring_mfa_sends_a_user_without_it_to_enrolment_and_nowhere_else(web, admin, agency):
    agency.mfa_required = True
    response = web.login(admin)
    assert response.status_code == 303 and response.headers["Location"] == "/account/mfa/setup"
    for url in ("/accounts/", "/settings/", "/account/mfa/", "/account/password"):
        blocked = web.get(url)
        assert blocked.status_code == 303 and blocked.headers["Location"] == "/account/mfa/setup", url
    assert web.get("/accounts/", htmx=True).headers["HX-Redirect"] == "/account/mfa/setup"
    assert web.get("/account/mfa/setup").status_code == 200
    f.enrol_mfa(admin)
    assert web.get("/accounts/").status_code == 200


def test_logout_stays_open_while_enrolment_is_owed(web, admin, agency):
    agency.mfa_required = True
    web.login(admin)
    assert web.post("/logout").headers["Location"] == "/login"
    assert web.get("/accounts/").status_code == 302


def test_new_agencies_require_mfa_by_default():
    agency = Agency(name="Fresh", slug="fresh-agency")
    db.session.add(agency)
    db.session.flush()
    assert agency.mfa_required is True


def test_rotation_re_encrypts_the_mfa_secret(app, enrolled):
    user, secret = enrolled
    old_keys = list(app.config["ENCRYPTION_KEYS"])
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode(), *old_keys]
    try:
        assert app.test_cli_runner().invoke(args=["crypto", "rotate"]).exit_code == 0
        app.config["ENCRYPTION_KEYS"] = app.config["ENCRYPTION_KEYS"][:1]  # old key retired
        db.session.refresh(user)
        assert user.mfa_secret == secret
    finally:
        app.config["ENCRYPTION_KEYS"] = old_keys
