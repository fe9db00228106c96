"""Settings → users and sign-in: an admin resets another user's MFA or password; the agency's MFA requirement."""

import pyotp
import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import mfa
from app.auth.models import UserSession
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from tests import factories as f
from tests.conftest import Web

PROFILE = {"name": "Apex Test Agency", "timezone": "America/New_York", "currency": "USD", "country": "US"}


def last_event(agency) -> AuditEvent:
    stmt = select(AuditEvent).where(AuditEvent.agency_id == agency.id).order_by(AuditEvent.id.desc())
    return db.session.scalars(stmt).first()


def live_sessions(user) -> int:
    stmt = select(db.func.count()).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    return db.session.scalar(stmt)


def test_the_users_page_lists_everyone_with_their_mfa_state(login, admin, collector):
    f.enrol_mfa(collector)
    page = login(admin).get("/settings/users/").get_data(as_text=True)
    assert collector.username in page and admin.username in page
    assert f"/settings/users/{collector.id}/mfa-reset" in page
    assert f"/settings/users/{admin.id}/mfa-reset" not in page


def test_an_admin_resets_a_users_mfa_who_must_enrol_again_at_next_sign_in(app, login, admin, collector, agency):
    secret = f.enrol_mfa(collector)
    other = Web(app.test_client())
    other.login(collector)
    assert other.post("/login/code", {"code": pyotp.TOTP(secret).now()}).status_code == 303
    response = login(admin).post(f"/settings/users/{collector.id}/mfa-reset")
    assert response.status_code == 303 and not collector.mfa_enabled
    event = last_event(agency)
    assert (event.action, event.actor_id, event.entity_id) == ("auth.mfa_reset", admin.id, str(collector.id))
    assert live_sessions(collector) == 0 and other.get("/worklist").status_code == 302
    agency.mfa_required = True
    assert other.login(collector).headers["Location"] == "/account/mfa/setup"


def test_resetting_mfa_is_for_admins_of_the_same_agency_and_not_oneself(admin, collector, foreign):
    f.enrol_mfa(collector)
    with pytest.raises(NotFound):
        mfa.reset_mfa(collector.id, actor=foreign.admin)
    with pytest.raises(PermissionDenied):
        mfa.reset_mfa(collector.id, actor=f.CollectorFactory(agency=collector.agency))
    with pytest.raises(ValidationFailed):
        mfa.reset_mfa(admin.id, actor=admin)
    assert collector.mfa_enabled


def test_another_agencys_user_is_a_404_on_the_reset_routes(login, admin, foreign):
    web = login(admin)
    assert web.post(f"/settings/users/{foreign.collector.id}/mfa-reset").status_code == 404
    assert web.post(f"/settings/users/{foreign.collector.id}/password-reset").status_code == 404


def test_a_collector_cannot_reach_the_users_page(login, collector):
    assert login(collector).get("/settings/users/").status_code == 403


def test_a_password_reset_shows_the_temporary_password_once(login, admin, collector):
    response = login(admin).post(f"/settings/users/{collector.id}/password-reset")
    page = response.get_data(as_text=True)
    temporary = page.split('id="temporary-password">')[1].split("<")[0]
    assert response.status_code == 200 and collector.check_password(temporary) and collector.password_must_change


def test_the_agency_profile_turns_the_mfa_requirement_on_and_off_audited(login, admin, agency):
    web = login(admin)
    assert web.post("/settings/", {**PROFILE, "mfa_required": "y"}).status_code == 303
    assert agency.mfa_required is True
    assert last_event(agency).changes["mfa_required"] == {"old": False, "new": True}
    assert web.get("/settings/").headers["Location"] == "/account/mfa/setup"  # the admin too, at once


def test_a_profile_update_without_the_flag_keeps_it(admin, agency):
    from app.settings import services as agency_services

    agency.mfa_required = True
    agency_services.update_profile(PROFILE, actor=admin)
    assert agency.mfa_required is True
