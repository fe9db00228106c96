"""argon2id hashing with the rehash of old scrypt hashes, the password policy, temporary passwords."""

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.audit.models import AuditEvent
from app.auth import passwords, services
from app.config import Config
from app.errors import ValidationFailed
from app.extensions import db
from tests import factories as f

NEW = "Ledger-Quartz-Meadow-7"
TEMPORARY_ON_PAGE = 'id="temporary-password">'


def test_new_passwords_are_hashed_with_argon2id(admin):
    admin.set_password(NEW)
    assert admin.password_hash.startswith("$argon2id$") and admin.check_password(NEW)
    assert not admin.check_password(NEW + "x")


def test_an_old_scrypt_hash_verifies_and_is_rehashed_at_sign_in_silently(admin):
    admin.password_hash = generate_password_hash(f.PASSWORD, method="scrypt")
    db.session.commit()
    events_before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    assert services.authenticate(admin.username, f.PASSWORD) == admin
    db.session.refresh(admin)
    assert admin.password_hash.startswith("$argon2id$") and not passwords.needs_rehash(admin.password_hash)
    assert services.authenticate(admin.username, f.PASSWORD) == admin
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events_before


def test_a_wrong_password_does_not_rehash(admin):
    legacy = generate_password_hash(f.PASSWORD, method="scrypt")
    admin.password_hash = legacy
    with pytest.raises(ValidationFailed):
        services.authenticate(admin.username, "not-the-password")
    assert admin.password_hash == legacy


def test_an_unknown_username_is_checked_against_an_argon2id_dummy(admin):
    assert services._dummy_hash().startswith("$argon2id$")
    with pytest.raises(ValidationFailed, match=services.LOGIN_FAILED):
        services.authenticate("nobody-here", f.PASSWORD)


@pytest.mark.parametrize(
    "weak,advice",
    [("password1234", "This is a very common password."), ("qwertyuiop12", "similar to a commonly used password")],
)
def test_a_guessable_password_is_refused_with_zxcvbn_advice(admin, weak, advice):
    with pytest.raises(ValidationFailed) as refused:
        services.change_password(admin, f.PASSWORD, weak, actor=admin)
    assert advice in refused.value.fields["new_password"]
    assert admin.check_password(f.PASSWORD)


def test_a_password_built_on_the_username_is_refused(admin):
    admin.username = "margaretha"
    with pytest.raises(ValidationFailed):
        services.change_password(admin, f.PASSWORD, "margaretha2024", actor=admin)


def test_the_password_page_shows_the_advice(login, admin):
    form = {"current_password": f.PASSWORD, "new_password": "password1234", "confirm": "password1234"}
    response = login(admin).post("/account/password", form)
    assert response.status_code == 422 and "This is a very common password." in response.get_data(as_text=True)


def test_a_new_collector_has_a_temporary_password_to_change_at_first_sign_in(login, admin, web, app):
    form = {"username": "nia.new", "full_name": "Nia New", "email": "nia@example.test"}
    page = login(admin).post("/settings/collectors/new", {**form, "commission_rate": "10", "max_open_accounts": "5"})
    temporary = page.get_data(as_text=True).split(TEMPORARY_ON_PAGE)[1].split("<")[0]
    collector = db.session.scalars(select(f.User).where(f.User.username == "nia.new")).one()
    assert collector.password_must_change
    web.post("/logout")
    first = web.post("/login", {"username": "nia.new", "password": temporary})
    assert first.headers["Location"] == "/account/password"
    assert web.get("/worklist").headers["Location"] == "/account/password"
    change = {"current_password": temporary, "new_password": NEW, "confirm": NEW}
    assert web.post("/account/password", change).status_code == 303
    assert not collector.password_must_change and web.get("/worklist").status_code == 200


def test_an_admin_typed_temporary_password_must_pass_the_policy(login, admin):
    form = {"username": "weak.one", "full_name": "Weak One", "email": "weak@example.test", "password": "password1234"}
    form.update(commission_rate="10", max_open_accounts="5")
    response = login(admin).post("/settings/collectors/new", form)
    assert response.status_code == 422 and "This is a very common password." in response.get_data(as_text=True)
    assert db.session.scalars(select(f.User).where(f.User.username == "weak.one")).first() is None


def test_demo_style_users_are_not_flagged(admin):
    assert admin.password_must_change is False


def test_a_password_reset_by_an_admin_is_temporary_and_never_skips_mfa(web, admin, collector):
    secret = f.enrol_mfa(collector)
    reset = services.reset_password(collector.id, actor=admin)
    assert collector.password_must_change and collector.mfa_enabled
    first = web.post("/login", {"username": collector.username, "password": reset.temporary_password})
    assert first.headers["Location"] == "/login/code"
    second = web.post("/login/code", {"code": pyotp.TOTP(secret).now()})
    assert second.headers["Location"] == "/account/password"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(collector.id))).all()
    assert "auth.password_reset" in actions


def test_outside_the_test_suite_hashes_use_the_rfc_9106_parameters(monkeypatch, tmp_path):
    """The suite's config lowers argon2's cost (``PASSWORD_HASHER``); the app's own config never sets it."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert "PASSWORD_HASHER" not in Config.from_env(tmp_path)
    stored = passwords.STRONG.hash("x" * 12)
    assert (passwords.STRONG.time_cost, passwords.STRONG.memory_cost) == (3, 65536)
    assert passwords.verify_password(stored, "x" * 12)
