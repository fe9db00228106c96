"""The contact log: recording a call, text, email, letter or visit (outbound ones through the guard first), and
listing an account's attempts. Each log is one transaction, audited; a refusal is audited in its own.

The account row is locked while an attempt is judged and written, so two collectors (or a dialer and a collector)
logging at once are judged one after the other and can never pass a limit together.
"""

from datetime import UTC, datetime, timedelta

import phonenumbers
from sqlalchemy import select

from app.accounts import queries
from app.accounts.models import CONTACT_BLOCKED_FOR_GOOD, Account, ActivityKind
from app.accounts.services import MAX_NOTE_LENGTH, add_timeline_entry
from app.agencyday import is_plausible_day
from app.audit import services as audit
from app.auth.models import User
from app.compliance import guard, points
from app.compliance.models import CONVERSATION_OUTCOMES, Channel, ContactAttempt, Direction, Outcome
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.sensitive import refuse_sensitive
from app.timeutil import utcnow
from app.words import words

CLOCK_SKEW = timedelta(minutes=5)  # a dialer's clock a little ahead of ours is not logging the future


class ContactBlocked(Conflict):
    """409: the guard refused the attempt; ``decision`` holds every reason and the next allowed time."""

    def __init__(self, decision: guard.Decision):
        super().__init__("Contact not allowed now: " + "; ".join(r.detail for r in decision.reasons) + ".")
        self.decision = decision


def log_attempt(
    actor: User,
    account_id: int,
    *,
    channel,
    direction,
    outcome,
    at: datetime | None = None,
    phone: str | None = None,
    email: str | None = None,
    note: str | None = None,
) -> ContactAttempt:
    """Record a contact attempt or conversation on the account (at defaults to now; any past time may be logged).

    An outbound attempt is judged by the guard at its own ``at`` first. Raises NotFound for an account the actor
    may not see, ValidationFailed for bad input, ContactBlocked (409) when the guard refuses (audited)."""
    values = _checked(channel, direction, outcome, at, phone, email, note)
    account = queries.get_account(actor, account_id, for_update=True)
    if values["direction"] == Direction.OUTBOUND:
        decision = guard.check(account, values["channel"], values["at"], phone=values["phone"], email=values["email"])
        if not decision.allowed:
            _record_refusal(actor, account, values, decision)
            raise ContactBlocked(decision)
    attempt = ContactAttempt(agency_id=account.agency_id, account_id=account.id, user_id=actor.id, **values)
    db.session.add(attempt)
    _note_conversation(account, attempt)
    add_timeline_entry(account, ActivityKind.CONTACT, attempt_words(attempt), actor)
    db.session.flush()
    audit.record(actor, account.agency_id, "contact.logged", "account", account.id, _audit_values(attempt))
    refresh_contact_block(account)
    db.session.commit()
    return attempt


def _checked(channel, direction, outcome, at, phone, email, note) -> dict:
    """The attempt's column values, parsed and checked (ValidationFailed names the field)."""
    text = (note or "").strip() or None
    if text and len(text) > MAX_NOTE_LENGTH:
        message = f"Keep the note under {MAX_NOTE_LENGTH} characters."
        raise ValidationFailed(message, {"note": message})
    refuse_sensitive(text, "note", "note")
    return dict(
        channel=_choice(Channel, channel, "channel"),
        direction=_choice(Direction, direction, "direction"),
        outcome=_choice(Outcome, outcome, "outcome"),
        at=_checked_at(at),
        phone=points.normal_phone(phone),
        email=points.normal_email(email),
        note=text,
    )


def _choice(enum, value, field: str):
    try:
        return enum(getattr(value, "value", value))
    except ValueError:
        message = f"Choose one of: {', '.join(m.value for m in enum)}."
        raise ValidationFailed(message, {field: message}) from None


def _checked_at(at: datetime | None) -> datetime:
    now = utcnow()
    if at is None:
        return now
    if at.tzinfo is None or not is_plausible_day(at.date()) or at > now + CLOCK_SKEW:
        message = "Give the time it happened, with its time zone, and not in the future."
        raise ValidationFailed(message, {"at": message})
    return at.astimezone(UTC)


def _record_refusal(actor: User, account: Account, values: dict, decision: guard.Decision) -> None:
    """Audit the refusal in its own transaction (the dashboard counts refusals by rule): nothing else is written."""
    account_id, agency_id = account.id, account.agency_id
    db.session.rollback()
    changes = {
        "channel": values["channel"].value,
        "at": values["at"].isoformat(),
        "rules": sorted({r.rule for r in decision.reasons}),
        "reasons": reasons_json(decision.reasons),
    }
    audit.record(actor, agency_id, "contact.blocked", "account", account_id, changes)
    db.session.commit()


def reasons_json(reasons) -> list[dict]:
    """Reasons as the API and the audit trail show them."""
    return [
        {"rule": r.rule, "detail": r.detail, "next_allowed_at": r.next_allowed_at and r.next_allowed_at.isoformat()}
        for r in reasons
    ]


def _note_conversation(account: Account, attempt: ContactAttempt) -> None:
    """A conversation is the account's last contact (when it is the latest one)."""
    if attempt.outcome in CONVERSATION_OUTCOMES and (account.last_contact_at or attempt.at) <= attempt.at:
        account.last_contact_at = attempt.at


def _audit_values(attempt: ContactAttempt) -> dict:
    values = {k: getattr(attempt, k) for k in ("channel", "direction", "outcome", "phone", "email", "note")}
    return {k: getattr(v, "value", v) for k, v in values.items() if v is not None} | {
        "contact_attempt_id": attempt.id,
        "at": attempt.at.isoformat(),
    }


def attempt_words(attempt: ContactAttempt) -> str:
    """The timeline's line: ``Call attempt · voicemail · +1 617-555-0100``."""
    kind = "attempt" if attempt.direction == Direction.OUTBOUND else "from the consumer"
    parts = [f"{words(attempt.channel)} {kind}", words(attempt.outcome).lower(), display_value(attempt)]
    text = " · ".join(p for p in parts if p)
    return text + (f" — {attempt.note}" if attempt.note else "")


def display_value(attempt) -> str:
    if attempt.phone:
        number = phonenumbers.parse(attempt.phone)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return attempt.email or ""


def refresh_contact_block(account: Account, now: datetime | None = None) -> None:
    """Keep ``Account.contact_blocked_until``: the guard's answer for a call now (None when allowed). Call it in
    the transaction of anything that changes the answer (an attempt logged, a request recorded or resolved)."""
    db.session.flush()
    decision = guard.check(account, Channel.CALL, now or utcnow())
    account.contact_blocked_until = None if decision.allowed else decision.next_allowed_at or CONTACT_BLOCKED_FOR_GOOD


def check_contact(
    actor: User, account_id: int, *, channel=Channel.CALL, at: datetime | None = None, phone=None, email=None
) -> guard.Decision:
    """The guard's decision for the actor's account (NotFound outside their scope) at ``at`` (default now)."""
    account = queries.get_account(actor, account_id)
    when = at or utcnow()
    if when.tzinfo is None or not is_plausible_day(when.date()):
        message = "Give a time between 1900 and 2200, with its time zone."
        raise ValidationFailed(message, {"at": message})
    return guard.check(account, _choice(Channel, channel, "channel"), when, phone=phone, email=email)


def list_attempts(actor: User, account_id: int):
    """The statement of an account's attempts, newest first (NotFound outside the actor's scope)."""
    account = queries.get_account(actor, account_id)
    return select(ContactAttempt).where(
        ContactAttempt.agency_id == account.agency_id, ContactAttempt.account_id == account.id
    )


def recent_attempts(actor: User, account_id: int, limit: int = 20) -> list[ContactAttempt]:
    stmt = list_attempts(actor, account_id).order_by(ContactAttempt.at.desc(), ContactAttempt.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))
