"""Reminder emails received by a real SMTP server on loopback: before an instalment, with the disclosure and a
working opt-out link; in Spanish; sent once; refused by the contact guard (cease, hold, opt-out, time of day)."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Account
from app.audit.models import AuditEvent
from app.compliance.models import ContactPoint, RequestKind
from app.reminders import services
from app.reminders.models import Reminder, ReminderState
from jobs.reminders import run_reminders
from tests.compliance.guard.conftest import open_request
from tests.factories import db
from tests.plans.conftest import pay, timeline
from tests.reminders.conftest import ADDRESS, body_of, html_of, pacific

DISCLOSURE = "This is a communication from a debt collector"


def before(instalment, days: int = 2, hour: int = 12):
    """``hour`` o'clock in San Francisco, ``days`` before the instalment is due."""
    return pacific(instalment.due_on - timedelta(days=days), hour)


def reminders(account) -> list[Reminder]:
    return list(db.session.scalars(select(Reminder).where(Reminder.account_id == account.id).order_by(Reminder.id)))


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def opt_out_path(message) -> str:
    url = re.search(r"http://debtflow\.test(/email/opt-out/\S+)", body_of(message)).group(1)
    assert url in html_of(message).replace("&amp;", "&")  # the same link in the HTML part
    return url


def test_a_reminder_arrives_days_before_the_instalment_with_amount_due_date_disclosure_and_opt_out(
    smtp, frozen, west_plan, web
):
    first = west_plan.instalments[0]
    frozen(before(first))
    assert run_reminders() == 1
    (message,) = smtp.messages
    due = f"{first.due_on:%B} {first.due_on.day}, {first.due_on.year}"
    assert message["To"] == ADDRESS and message["Subject"] == f"Reminder: $333.33 due on {due}"
    assert "$333.33" in body_of(message) and due in body_of(message) and DISCLOSURE in body_of(message)
    assert DISCLOSURE in html_of(message)
    (reminder,) = reminders(_account(west_plan))
    assert reminder.state == ReminderState.SENT and reminder.address == ADDRESS
    assert any(t.startswith(f"Reminder emailed to {ADDRESS}") for t in timeline(_account(west_plan)))

    page = web.get(opt_out_path(message))
    assert page.status_code == 200 and ADDRESS in page.get_data(as_text=True)
    assert _point() is None  # a GET changes nothing
    done = web.post(opt_out_path(message))  # no sign-in, a plain form post
    assert done.status_code == 200 and "We will send no more emails" in done.get_data(as_text=True)
    assert _point().opted_out_at is not None
    assert audits("contact_point.added")[-1].changes["via"] == "email_link"
    assert any("opted out from a reminder" in t for t in timeline(_account(west_plan)))

    second = west_plan.instalments[1]
    frozen(before(second))
    assert run_reminders() == 1 and len(smtp.messages) == 1  # the next one is refused
    blocked = reminders(_account(west_plan))[-1]
    assert blocked.state == ReminderState.SKIPPED and [r["rule"] for r in blocked.reasons] == ["opted_out"]
    assert audits("reminder.skipped")[-1].changes["reasons"] == blocked.reasons


def _account(plan) -> Account:
    return db.session.get(Account, plan.account_id)


def _point():
    return db.session.scalars(select(ContactPoint).where(ContactPoint.value == ADDRESS)).first()


def test_an_instalment_is_reminded_once(smtp, frozen, west_plan):
    first = west_plan.instalments[0]
    frozen(before(first, days=3))
    run_reminders()
    frozen(before(first, days=2))
    run_reminders()
    frozen(before(first, days=1, hour=9))
    run_reminders()
    assert len(smtp.messages) == 1 and len(reminders(_account(west_plan))) == 1


def test_no_reminder_before_the_agencys_days(smtp, frozen, west_plan, agency):
    agency.compliance_settings = {"reminder_days_before": 1}
    db.session.commit()
    first = west_plan.instalments[0]
    frozen(before(first, days=2))
    assert run_reminders() == 0 and smtp.messages == []
    frozen(before(first, days=1))
    assert run_reminders() == 1 and len(smtp.messages) == 1


def test_in_the_debtors_language(smtp, frozen, west_plan):
    account = _account(west_plan)
    account.debtor.language = "es"
    db.session.commit()
    first = west_plan.instalments[0]
    frozen(before(first))
    run_reminders()
    (message,) = smtp.messages
    assert message["Subject"].startswith("Recordatorio: $333.33 vence el")
    assert "Esta es una comunicación de un cobrador de deudas" in body_of(message)
    assert "lang=es" in opt_out_path(message)


def test_a_cease_request_blocks_the_reminder_for_good(smtp, frozen, west_plan):
    open_request(_account(west_plan), RequestKind.CEASE)
    db.session.commit()
    frozen(before(west_plan.instalments[0]))
    run_reminders()
    (reminder,) = reminders(_account(west_plan))
    assert smtp.messages == [] and reminder.state == ReminderState.SKIPPED
    assert any(r["rule"] == "cease" for r in reminder.reasons)
    assert any(t.startswith("Reminder email not sent") for t in timeline(_account(west_plan)))


def test_a_hold_blocks_the_reminder(smtp, frozen, west_plan):
    open_request(_account(west_plan), RequestKind.DISPUTE, hold=True)
    db.session.commit()
    frozen(before(west_plan.instalments[0]))
    run_reminders()
    (reminder,) = reminders(_account(west_plan))
    assert smtp.messages == [] and reminder.state == ReminderState.SKIPPED
    assert [r["rule"] for r in reminder.reasons] == ["hold"]


def test_at_night_the_reminder_waits_for_the_morning(smtp, frozen, west_plan):
    first = west_plan.instalments[0]
    frozen(before(first, hour=22))  # 22:00 in San Francisco
    run_reminders()
    (reminder,) = reminders(_account(west_plan))
    morning = before(first, days=1, hour=8)
    assert smtp.messages == [] and reminder.state == ReminderState.PENDING and reminder.try_at == morning
    assert audits("reminder.blocked")[-1].changes["retry_at"] == morning.isoformat()
    frozen(morning - timedelta(minutes=1))
    run_reminders()
    assert smtp.messages == []
    frozen(morning)
    run_reminders()
    assert len(smtp.messages) == 1 and reminder.state == ReminderState.SENT


def test_an_instalment_paid_before_its_reminder_goes_is_not_reminded(smtp, frozen, west_plan, collector):
    first = west_plan.instalments[0]
    frozen(before(first, hour=22))
    run_reminders()  # recorded, put off to the morning
    pay(_account(west_plan), "333.33", collector)
    frozen(before(first, days=1, hour=8))
    run_reminders()
    (reminder,) = reminders(_account(west_plan))
    assert smtp.messages == [] and reminder.state == ReminderState.SKIPPED
    assert reminder.reasons == [{"rule": "reminder", "detail": "nothing due any more"}]


def test_a_reminder_not_sent_before_the_due_day_is_not_sent_late(smtp, frozen, west_plan):
    first = west_plan.instalments[0]
    assert services.queue_before_due(before(first)) == 1  # recorded, its send job lost
    (reminder,) = reminders(_account(west_plan))
    assert services.send(reminder.id, pacific(first.due_on, 12)) == "skipped" and smtp.messages == []
    assert reminder.reasons == [{"rule": "reminder", "detail": "the due day has come"}]


def test_with_mail_off_nothing_is_recorded_or_sent(frozen, west_plan):
    frozen(before(west_plan.instalments[0]))
    assert run_reminders() == 0 and reminders(_account(west_plan)) == []


def test_an_opt_out_link_not_ours_is_a_404(web, smtp):
    assert web.get("/email/opt-out/forged.token").status_code == 404
    assert web.post("/email/opt-out/forged.token").status_code == 404
