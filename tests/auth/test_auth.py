"""Login, logout, server-side sessions, password change."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import services
from app.auth.services import LOGIN_FAILED
from app.errors import ValidationFailed
from app.extensions import db
from tests import factories as f
from tests.conftest import Web


def test_login_lands_on_the_role_home(web, admin, collector, client):
    response = web.login(admin)
    assert response.status_code == 303 and response.headers["Location"].endswith("/analytics/")
    web.post("/logout")
    assert web.login(collector).headers["Location"].endswith("/worklist")


def test_session_cookie_is_httponly_and_samesite(web, admin):
    cookie = web.login(admin).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("username,password", [("nobody", f.PASSWORD), (None, "wrong-password")])
def test_failed_login_does_not_say_which_part_was_wrong(web, admin, username, password):
    response = web.post("/login", {"username": username or admin.username, "password": password})
    assert response.status_code == 422
    assert LOGIN_FAILED in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(web, agency):
    user = f.AdminFactory(agency=agency, active=False)
    response = web.login(user)
    assert response.status_code == 422 and LOGIN_FAILED in response.get_data(as_text=True)


def test_username_is_matched_case_insensitively_after_trim(admin):
    assert services.authenticate(f"  {admin.username.upper()} ", f.PASSWORD) == admin


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/accounts/?status=new", "/accounts/?status=new"),
        ("https://evil.example/", "/analytics/"),
        ("//evil.example/x", "/analytics/"),
        ("/\\evil.example", "/analytics/"),
    ],
)
def test_next_is_followed_only_to_local_paths(web, admin, target, expected):
    response = web.post("/login", {"username": admin.username, "password": f.PASSWORD, "next": target})
    assert response.headers["Location"] == expected


def test_logout_revokes_the_session_on_the_server(app, web, admin):
    web.login(admin)
    stolen = web.client.get_cookie("session").value
    assert web.post("/logout").status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/accounts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, web, admin):
    other = Web(app.test_client())
    other.login(admin)
    web.login(admin)
    new = "A-much-better-passphrase"
    form = {"current_password": f.PASSWORD, "new_password": new, "confirm": new}
    assert web.post("/account/password", form).status_code == 303
    assert web.get("/accounts/").status_code == 200
    assert other.get("/accounts/").status_code == 302
    assert services.authenticate(admin.username, new) == admin


def test_password_change_with_wrong_current_password_is_refused(web, admin):
    web.login(admin)
    form = {"current_password": "not-it", "new_password": "Another-passphrase", "confirm": "Another-passphrase"}
    response = web.post("/account/password", form)
    assert response.status_code == 422 and "Incorrect password." in response.get_data(as_text=True)


def test_weak_new_password_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        services.change_password(admin, f.PASSWORD, "short", actor=admin)
    assert "new_password" in refused.value.fields


def test_deactivated_user_is_signed_out_at_once(web, admin, agency):
    user = f.AdminFactory(agency=agency)
    web.login(user)
    user.active = False
    db.session.commit()
    assert web.get("/accounts/").status_code == 302


def test_login_and_logout_are_audited(web, admin):
    web.login(admin)
    web.post("/logout")
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id)).all()
    assert actions == ["auth.login", "auth.logout"]


def test_logout_requires_post_with_csrf(web, admin):
    web.login(admin)
    assert web.client.get("/logout").status_code == 405
    assert web.client.post("/logout").status_code == 400
    assert web.get("/accounts/").status_code == 200
