"""Follow-ups: set, complete and move from the account page, on the timeline and the audit trail, scoped like
the account; and the admin's priority of one account."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.accounts import followups
from app.accounts.models import Activity, ActivityKind, FollowUp
from app.audit.models import AuditEvent
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow


def timeline(account) -> list[str]:
    stmt = db.select(Activity.body).where(Activity.account_id == account.id).order_by(Activity.id)
    return list(db.session.scalars(stmt))


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def only_follow_up(account) -> FollowUp:
    return db.session.scalars(db.select(FollowUp).where(FollowUp.account_id == account.id)).one()


def test_a_collector_sets_a_follow_up_in_the_agencys_time(login, collector, assigned_account, agency):
    web = login(collector)
    day = date.today() + timedelta(days=3)
    response = web.post(
        f"/accounts/{assigned_account.id}/follow-ups",
        {"day": day.isoformat(), "time": "18:30", "reason": "call back Thursday after 6 pm"},
    )
    assert response.status_code == 303
    follow_up = only_follow_up(assigned_account)
    local = datetime(day.year, day.month, day.day, 18, 30, tzinfo=ZoneInfo(agency.timezone))
    assert follow_up.due_at == local.astimezone(UTC) and follow_up.created_by_id == collector.id
    db.session.refresh(assigned_account)
    assert assigned_account.next_follow_up_at == follow_up.due_at
    assert f"Follow-up set for {day.isoformat()} 18:30: call back Thursday after 6 pm" in timeline(assigned_account)
    assert "follow_up.set" in actions()
    page = web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert "call back Thursday after 6 pm" in page and f"{day.isoformat()} 18:30" in page


def test_completing_and_moving_are_one_click_each(login, collector, assigned_account):
    now = utcnow()
    early = followups.add_follow_up(assigned_account.id, now - timedelta(hours=1), "first", actor=collector)
    late = followups.add_follow_up(assigned_account.id, now + timedelta(days=2), "second", actor=collector)
    assert assigned_account.next_follow_up_at == early.due_at
    web = login(collector)
    page = web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert "Overdue" in page
    done = web.post(f"/accounts/{assigned_account.id}/follow-ups/{early.id}/done")
    assert done.status_code == 303
    db.session.expire_all()
    assert early.done_at is not None and early.done_by_id == collector.id
    assert assigned_account.next_follow_up_at == late.due_at
    first_due = late.due_at
    moved = web.post(f"/accounts/{assigned_account.id}/follow-ups/{late.id}/move", {"days": "7"})
    assert moved.status_code == 303
    db.session.expire_all()
    assert late.due_at == first_due + timedelta(days=7)
    assert assigned_account.next_follow_up_at == late.due_at
    entries = timeline(assigned_account)
    assert "Follow-up done: first" in entries and any(e.startswith("Follow-up moved to") for e in entries)
    assert {"follow_up.completed", "follow_up.moved"} <= set(actions())


def test_a_done_follow_up_cannot_be_completed_again(collector, assigned_account):
    follow_up = followups.add_follow_up(assigned_account.id, utcnow(), "once", actor=collector)
    followups.complete_follow_up(follow_up.id, actor=collector)
    with pytest.raises(NotFound):
        followups.complete_follow_up(follow_up.id, actor=collector)
    assert assigned_account.next_follow_up_at is None


def test_another_collectors_account_is_404_for_every_follow_up_action(
    login, other_collector, collector, assigned_account
):
    follow_up = followups.add_follow_up(assigned_account.id, utcnow(), "mine", actor=collector)
    web = login(other_collector)
    base = f"/accounts/{assigned_account.id}/follow-ups"
    data = {"day": date.today().isoformat(), "time": "10:00", "reason": "not yours"}
    assert web.post(base, data).status_code == 404
    assert web.post(f"{base}/{follow_up.id}/done").status_code == 404
    assert web.post(f"{base}/{follow_up.id}/move", {"days": "1"}).status_code == 404
    with pytest.raises(NotFound):
        followups.set_follow_up(other_collector, assigned_account, utcnow(), "not yours")
    db.session.expire_all()
    assert follow_up.done_at is None and len(timeline_follow_ups(assigned_account)) == 1


def timeline_follow_ups(account) -> list[str]:
    stmt = db.select(Activity.body).where(Activity.account_id == account.id, Activity.kind == ActivityKind.FOLLOW_UP)
    return list(db.session.scalars(stmt))


def test_another_agencys_follow_up_is_404_even_through_ones_own_account(admin, assigned_account, foreign):
    theirs = followups.add_follow_up(foreign.account.id, utcnow(), "theirs", actor=foreign.admin)
    with pytest.raises(NotFound):
        followups.complete_follow_up(theirs.id, actor=admin)
    with pytest.raises(NotFound):
        followups.move_follow_up(theirs.id, utcnow(), actor=admin)


@pytest.mark.parametrize(
    "data,field",
    [
        ({"day": "", "time": "10:00", "reason": "x"}, "Day"),
        ({"day": "2026-01-01", "time": "25:00", "reason": "x"}, "Use HH:MM."),
        ({"day": "2026-01-01", "time": "10:00", "reason": ""}, "Reason"),
        ({"day": "2026-01-01", "time": "10:00", "reason": "x" * 201}, "Reason"),
    ],
)
def test_a_bad_follow_up_gets_422_and_writes_nothing(login, collector, assigned_account, data, field):
    response = login(collector).post(f"/accounts/{assigned_account.id}/follow-ups", data)
    assert response.status_code == 422 and field in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 0


def test_the_service_refuses_a_naive_time_and_an_empty_reason(collector, assigned_account):
    with pytest.raises(ValidationFailed):
        followups.set_follow_up(collector, assigned_account, datetime(2026, 1, 1), "naive")
    with pytest.raises(ValidationFailed):
        followups.set_follow_up(collector, assigned_account, utcnow(), "   ")


def test_an_admin_sets_the_priority_audited_and_on_the_timeline(login, admin, account):
    web = login(admin)
    assert web.post(f"/accounts/{account.id}/priority", {"priority": "3"}).status_code == 303
    db.session.refresh(account)
    assert account.priority == 3
    assert "Priority changed from P1 · normal to P3 · urgent" in timeline(account)
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "account.priority_changed")).one()
    assert event.changes == {"priority": {"old": 1, "new": 3}}
    assert web.post(f"/accounts/{account.id}/priority", {"priority": "7"}).status_code == 422


def test_collectors_cannot_set_a_priority(login, collector, assigned_account):
    assert login(collector).post(f"/accounts/{assigned_account.id}/priority", {"priority": "3"}).status_code == 403


def test_an_admin_cannot_set_another_agencys_priority(login, admin, foreign):
    assert login(admin).post(f"/accounts/{foreign.account.id}/priority", {"priority": "3"}).status_code == 404
