"""Reminders: written once per instalment, declined charge or broken plan, then sent past the contact guard.

``record`` writes a pending row in the caller's transaction (the unique key makes a second one a no-op);
``queue_before_due`` writes the rows of the instalments due within the agency's ``reminder_days_before``;
``send`` (one RQ job per row) asks the guard for the email channel at the send time and sends, defers or skips.
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app, render_template, url_for
from sqlalchemy import exists, select

from app import mail, tenancy
from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry
from app.agencies.models import Agency
from app.agencyday import local_today
from app.audit import services as audit
from app.compliance import guard, points
from app.compliance.settings import setting
from app.errors import ValidationFailed
from app.extensions import db
from app.moneyfmt import money
from app.plans.models import OPEN_INSTALMENT_STATES, Instalment, Plan, PlanState
from app.reminders import messages, optout
from app.reminders.models import Reminder, ReminderKind, ReminderState
from app.timeutil import utcnow

log = logging.getLogger(__name__)
BATCH = 500
MAX_DEFERRALS = 5  # a reminder the guard keeps putting off is skipped, not retried forever


def record(account: Account, plan: Plan, kind: ReminderKind, key: str, **fields) -> Reminder | None:
    """A pending reminder (no commit); None when mail is off or this key was recorded already."""
    if not mail.enabled():
        return None
    taken = select(Reminder.id).where(Reminder.agency_id == account.agency_id, Reminder.key == key)
    if db.session.scalar(taken) is not None:
        return None
    reminder = Reminder(agency_id=account.agency_id, account_id=account.id, plan_id=plan.id, kind=kind, key=key)
    for name, value in fields.items():
        setattr(reminder, name, value)
    db.session.add(reminder)
    db.session.flush()
    return reminder


def queue_before_due(now: datetime | None = None) -> int:
    """Record a reminder for each open instalment of an active plan due after the agency's today and within its
    ``reminder_days_before``; one commit per agency. Returns how many were recorded."""
    now = now or utcnow()
    if not mail.enabled():
        return 0
    recorded = 0
    agencies = select(Agency).where(Agency.id.in_(select(Plan.agency_id).where(Plan.state == PlanState.ACTIVE)))
    for agency in db.session.scalars(agencies).all():
        today = local_today(agency.timezone, now)
        last = today + timedelta(days=setting(agency, "reminder_days_before"))
        for instalment in _unreminded(agency.id, today, last):
            plan = instalment.plan
            account = db.session.get(Account, plan.account_id)
            key = f"{ReminderKind.BEFORE_DUE.value}:{instalment.id}"
            recorded += bool(record(account, plan, ReminderKind.BEFORE_DUE, key, instalment_id=instalment.id))
        db.session.commit()
    return recorded


def _unreminded(agency_id: int, after, last) -> list[Instalment]:
    reminded = exists().where(Reminder.instalment_id == Instalment.id, Reminder.kind == ReminderKind.BEFORE_DUE)
    stmt = (
        select(Instalment)
        .join(Plan, Plan.id == Instalment.plan_id)
        .where(
            Instalment.agency_id == agency_id,
            Instalment.state.in_(OPEN_INSTALMENT_STATES),
            Instalment.due_on > after,
            Instalment.due_on <= last,
            Plan.state == PlanState.ACTIVE,
            ~reminded,
        )
        .order_by(Instalment.id)
        .limit(BATCH)
    )
    return list(db.session.scalars(stmt))


def due_ids(now: datetime) -> list[int]:
    """The pending reminders whose time has come, oldest first."""
    stmt = select(Reminder.id).where(Reminder.state == ReminderState.PENDING, Reminder.try_at <= now)
    return list(db.session.scalars(stmt.order_by(Reminder.try_at, Reminder.id).limit(BATCH)))


def send(reminder_id: int, now: datetime | None = None) -> str:
    """Send one pending reminder whose time has come, unless the guard refuses the email now: then it is put off
    to the guard's next allowed time, or skipped for good (audited either way). The row is marked sent only after
    the relay took the email, so a relay that fails leaves it pending and the error reaches the job (RQ retries).

    Returns the reminder's state after this call ("sent", "pending", "skipped")."""
    now = now or utcnow()
    reminder = _lock(reminder_id)
    if reminder is None or reminder.state != ReminderState.PENDING or reminder.try_at > now:
        db.session.rollback()
        return reminder.state.value if reminder else "missing"
    account = db.session.get(Account, reminder.account_id)
    address, why = _address_and_obstacle(reminder, account, now)
    if why:
        return _skip(reminder, account, [why])
    decision = guard.check(account, "email", now, email=address)
    if not decision.allowed:
        return _blocked(reminder, account, decision)
    email = compose(reminder, account, address)
    mail.send(email)  # raises when the relay fails: nothing below is written
    _mark_sent(reminder, account, address, email["Subject"], now)
    return ReminderState.SENT.value


def _lock(reminder_id: int) -> Reminder | None:
    """The reminder under a row lock (two jobs for one reminder: the second waits, then finds it sent)."""
    agency_id = db.session.scalar(select(Reminder.agency_id).where(Reminder.id == reminder_id))
    if agency_id is None:
        return None
    tenancy.scope(agency_id)
    return db.session.scalars(select(Reminder).where(Reminder.id == reminder_id).with_for_update()).first()


def _address_and_obstacle(reminder: Reminder, account: Account, now: datetime) -> tuple[str | None, str | None]:
    """The debtor's email address, and why nothing should be sent when something stands in the way."""
    try:
        address = points.normal_email(account.debtor.email)
    except ValidationFailed:
        address = None
    if not address:
        return None, "no email address on file"
    if reminder.kind == ReminderKind.BEFORE_DUE:
        instalment = db.session.get(Instalment, reminder.instalment_id)
        if instalment.state not in OPEN_INSTALMENT_STATES or instalment.plan.state != PlanState.ACTIVE:
            return address, "nothing due any more"
        if _too_late(reminder, now):  # the relay was down until the due day
            return address, "the due day has come"
    return address, None


def _blocked(reminder: Reminder, account: Account, decision: guard.Decision) -> str:
    """The guard refused: audited with its reasons; retried at its next allowed time when waiting lifts the block
    (the time of day) and that is still useful, else skipped."""
    reasons = [{"rule": r.rule, "detail": r.detail} for r in decision.reasons]
    retry = decision.next_allowed_at
    if retry is None or reminder.deferrals >= MAX_DEFERRALS or _too_late(reminder, retry):
        return _skip(reminder, account, reasons)
    reminder.deferrals += 1
    reminder.try_at, reminder.reasons = retry, reasons
    changes = {"reasons": reasons, "retry_at": retry.isoformat(), "kind": reminder.kind.value}
    audit.record(None, reminder.agency_id, "reminder.blocked", "reminder", reminder.id, changes)
    db.session.commit()
    return ReminderState.PENDING.value


def _too_late(reminder: Reminder, retry: datetime) -> bool:
    """A reminder before a due date is no use once that day has come in the agency."""
    if reminder.kind != ReminderKind.BEFORE_DUE:
        return False
    instalment = db.session.get(Instalment, reminder.instalment_id)
    return local_today(db.session.get(Agency, reminder.agency_id).timezone, retry) >= instalment.due_on


def _skip(reminder: Reminder, account: Account, reasons: list) -> str:
    reasons = [r if isinstance(r, dict) else {"rule": "reminder", "detail": r} for r in reasons]
    reminder.state, reminder.reasons = ReminderState.SKIPPED, reasons
    changes = {"reasons": reasons, "kind": reminder.kind.value}
    audit.record(None, reminder.agency_id, "reminder.skipped", "reminder", reminder.id, changes)
    words = "; ".join(r["detail"] for r in reasons)
    add_timeline_entry(
        account, ActivityKind.NOTE, f"Reminder email not sent: {words}"[:500], None, plan_id=reminder.plan_id
    )
    db.session.commit()
    return ReminderState.SKIPPED.value


def _mark_sent(reminder: Reminder, account: Account, address: str, subject: str, now: datetime) -> None:
    reminder.state, reminder.address, reminder.sent_at, reminder.reasons = ReminderState.SENT, address, now, []
    audit.record(None, reminder.agency_id, "reminder.sent", "reminder", reminder.id, {"kind": reminder.kind.value})
    add_timeline_entry(account, ActivityKind.NOTE, f"Reminder emailed to {address}: {subject}"[:500], None,
                       plan_id=reminder.plan_id)  # fmt: skip
    db.session.commit()


def compose(reminder: Reminder, account: Account, address: str):
    """The email of ``reminder`` in the debtor's language, with the disclosure and the opt-out link."""
    agency = db.session.get(Agency, account.agency_id)
    language = messages.language_of(account.debtor.language)
    facts = _facts(reminder, agency, language)
    kind = reminder.kind.value
    context = dict(
        language=language,
        greeting=messages.text(language, "greeting", name=account.debtor.full_name),
        body=messages.text(language, f"{kind}.body", **facts),
        disclosure=messages.text(language, "disclosure"),
        opt_out=messages.text(language, "opt_out"),
        opt_out_label=messages.text(language, "opt_out_link"),
        opt_out_url=opt_out_url(account, address, language),
        agency=agency,
    )
    text = render_template("email/reminder.txt", **context)
    html = render_template("email/reminder.html", **context)
    return mail.message(address, messages.text(language, f"{kind}.subject", **facts), text, html)


def _facts(reminder: Reminder, agency: Agency, language: str) -> dict:
    """The amount and dates the email states: the instalment's, or the first missed one's of a broken plan."""
    plan = db.session.get(Plan, reminder.plan_id)
    instalment = db.session.get(Instalment, reminder.instalment_id) if reminder.instalment_id else None
    instalment = instalment or next((i for i in plan.instalments if i.amount_paid < i.amount), plan.instalments[-1])
    amount = Decimal(reminder.details["amount"]) if "amount" in reminder.details else instalment.due
    retry = reminder.details.get("retry_on")
    return dict(
        amount=money(amount, agency.currency),
        due=messages.long_date(instalment.due_on, language),
        retry=messages.long_date(datetime.fromisoformat(retry).date(), language) if retry else "",
        agency=agency.name,
    )


def opt_out_url(account: Account, address: str, language: str) -> str:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for("reminders.opt_out", token=optout.make_token(account, address), lang=language, _external=True)
