"""Brute force per account: five failures lock it for fifteen minutes, admins unlock, everything is audited."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import lockout
from app.auth.models import LoginLockout, SecurityEvent
from app.auth.services import LOGIN_FAILED
from app.extensions import db
from tests import factories as f

WRONG = "not-the-password"


def fail(web, user, times: int = lockout.MAX_FAILURES) -> None:
    for _ in range(times):
        response = web.login(user, WRONG)
        assert response.status_code == 422 and LOGIN_FAILED in response.get_data(as_text=True)


def user_actions(user) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == str(user.id))
    return db.session.scalars(stmt.order_by(AuditEvent.id)).all()


def test_five_failures_then_the_right_password_is_refused_with_the_same_message(web, collector):
    fail(web, collector)
    response = web.login(collector)
    assert response.status_code == 422
    assert LOGIN_FAILED in response.get_data(as_text=True)
    assert web.get("/worklist").status_code == 302


def test_four_failures_do_not_lock(web, collector):
    fail(web, collector, lockout.MAX_FAILURES - 1)
    assert web.login(collector).status_code == 303


def test_the_lock_expires_after_fifteen_minutes(web, collector, clock):
    fail(web, collector)
    clock.advance(lockout.LOCK_TIME - timedelta(seconds=5))
    assert web.login(collector).status_code == 422
    clock.advance(timedelta(seconds=10))
    assert web.login(collector).status_code == 303


def test_failures_further_apart_than_the_window_do_not_add_up(web, collector, clock):
    fail(web, collector, 4)
    clock.advance(lockout.WINDOW + timedelta(seconds=1))
    fail(web, collector, 4)
    assert web.login(collector).status_code == 303


def test_a_complete_sign_in_clears_the_count(web, collector):
    fail(web, collector, 4)
    assert web.login(collector).status_code == 303
    web.post("/logout")
    fail(web, collector, 4)
    assert web.login(collector).status_code == 303
    assert db.session.get(LoginLockout, collector.id) is None


def test_attempts_while_locked_do_not_stretch_the_lock(web, collector, clock):
    fail(web, collector)
    clock.advance(timedelta(minutes=10))
    fail(web, collector, 3)
    clock.advance(timedelta(minutes=5, seconds=1))
    assert web.login(collector).status_code == 303


def test_admin_unlocks_a_collector_from_the_collectors_page(login, web, admin, collector, app):
    fail(web, collector)
    page = login(admin).get("/settings/collectors/").get_data(as_text=True)
    assert "locked until" in page and f"/settings/collectors/{collector.id}/unlock" in page
    assert web.post(f"/settings/collectors/{collector.id}/unlock").status_code == 303
    assert "locked until" not in web.get("/settings/collectors/").get_data(as_text=True)
    web.post("/logout")
    assert web.login(collector).status_code == 303


def test_unlock_is_for_admins_of_the_same_agency(login, web, collector, foreign):
    fail(web, foreign.collector)
    assert login(foreign.admin).post(f"/settings/collectors/{collector.id}/unlock").status_code == 404
    web.post("/logout")
    assert login(collector).post(f"/settings/collectors/{foreign.collector.id}/unlock").status_code == 403
    assert lockout.is_locked(foreign.collector)


def test_failures_lockout_and_unlock_are_audited(web, admin, collector):
    fail(web, collector)
    web.login(collector)  # the right password, refused while locked
    lockout.unlock_user(collector.id, actor=admin)
    assert user_actions(collector) == ["auth.login_failed"] * 5 + ["auth.locked", "auth.login_failed", "auth.unlocked"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(collector.id))).all()
    assert [e.changes for e in events[:2]] == [{"reason": "password", "failures": n} for n in (1, 2)]
    assert events[6].changes == {"reason": "locked", "locked": True}
    assert events[0].actor_id is None and events[-1].actor_id == admin.id
    assert events[0].agency_id == collector.agency_id and events[0].ip == "127.0.0.1"


def test_a_failure_for_an_unknown_username_goes_to_the_platform_security_log(web, agency):
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    response = web.post("/login", {"username": "  Nobody.Here ", "password": WRONG})
    assert response.status_code == 422 and LOGIN_FAILED in response.get_data(as_text=True)
    event = db.session.scalars(select(SecurityEvent)).one()
    assert (event.action, event.username, event.ip) == ("auth.login_failed", "nobody.here", "127.0.0.1")
    assert db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == before


def test_inactive_user_attempts_are_audited_as_such(web, agency):
    user = f.CollectorFactory(agency=agency, active=False)
    assert web.login(user).status_code == 422
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(user.id))).one()
    assert event.changes["reason"] == "inactive"


@pytest.mark.parametrize("reason", ["mfa_code"])
def test_other_factors_count_through_record_failure(collector, reason):
    results = [lockout.record_failure(collector, reason) for _ in range(lockout.MAX_FAILURES)]
    assert results == [False] * 4 + [True]
    assert lockout.is_locked(collector)
