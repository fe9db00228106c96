"""Account use cases: notes, status changes, assignment. One transaction each, audited inside it."""

from datetime import date

from sqlalchemy import select

from app.accounts import queries
from app.accounts.models import Account, Activity, ActivityKind
from app.accounts.states import Status, allowed_targets, can_transition
from app.agencyday import is_plausible_day
from app.audit import services as audit
from app.auth.models import Role, User
from app.collectors.models import CollectorProfile
from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from app.sensitive import refuse_sensitive
from app.timeutil import utcnow
from app.webhooks import events as webhooks

MAX_NOTE_LENGTH = 5000


def add_timeline_entry(account: Account, kind: ActivityKind, body: str, actor: User | None, **details) -> Activity:
    """Append an entry to the account's timeline (part of the caller's transaction)."""
    entry = Activity(**timeline_values(account.agency_id, account.id, kind, body, actor, **details))
    db.session.add(entry)
    return entry


def timeline_values(agency_id: int, account_id: int, kind: ActivityKind, body: str, actor: User | None, **details):
    """The column values of a timeline entry (one entry here; many at once in a bulk insert)."""
    return dict(
        agency_id=agency_id,
        account_id=account_id,
        actor_id=actor.id if actor else None,
        kind=kind,
        body=body,
        details=details,
        created_at=utcnow(),
    )


def add_note(account_id: int, body: str, *, actor: User) -> Activity:
    """Add a note to the timeline and mark the account as contacted now.

    Raises NotFound for an account the actor may not see, ValidationFailed for an empty or huge note.
    """
    text = (body or "").strip()
    if not text or len(text) > MAX_NOTE_LENGTH:
        message = f"Write a note of 1 to {MAX_NOTE_LENGTH} characters."
        raise ValidationFailed(message, {"body": message})
    refuse_sensitive(text, "body", "note")
    account = queries.get_account(actor, account_id, for_update=True)
    before = account.last_contact_at
    account.last_contact_at = utcnow()
    entry = add_timeline_entry(account, ActivityKind.NOTE, text, actor)
    changes = audit.diff({"last_contact_at": before}, {"last_contact_at": account.last_contact_at})
    changes["note"] = text  # the audit log shows what was written, not only that something was
    audit.record(actor, account.agency_id, "account.note_added", "account", account.id, changes)
    db.session.commit()
    return entry


def parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise ValidationFailed(f"'{value}' is not an account status.", {"status": "Choose a status."}) from None


def change_status(account_id: int, target: str, note: str = "", *, actor: User) -> Account:
    """Move an account along the state machine on a user's request.

    Raises NotFound for an account the actor may not see and ValidationFailed for a move the table
    forbids (the message lists the allowed targets) or for ``assigned`` without a collector.
    """
    new = parse_status(target)
    refuse_sensitive(note, "note", "note")
    account = queries.get_account(actor, account_id, for_update=True)
    refusal = transition_refusal(account.status, new, account.assigned_collector_id is not None)
    if refusal:
        raise ValidationFailed(refusal, {"status": refusal})
    set_status(account, new, actor, note=(note or "").strip()[:MAX_NOTE_LENGTH])
    db.session.commit()
    return account


def transition_refusal(old: Status, new: Status, has_collector: bool) -> str | None:
    """Why a user may not move an account from ``old`` to ``new`` (the message), or None when they may."""
    if not can_transition(old, new):
        allowed = ", ".join(s.label for s in allowed_targets(old)) or "none (closed is final)"
        return f"An account in {old.label} cannot move to {new.label}. Allowed: {allowed}."
    if new == Status.ASSIGNED and not has_collector:
        return "Assign a collector first."
    return None


def status_change_text(old: Status, new: Status, note: str = "") -> str:
    """The timeline wording of a status change."""
    return f"Status changed from {old.label} to {new.label}" + (f" — {note}" if note else "")


def set_status(account: Account, new: Status, actor: User | None, note: str = "", system: str = "") -> None:
    """Record a status change on the timeline and the audit trail (no commit; checks done by caller)."""
    old, account.status = account.status, new
    body = status_change_text(old, new, note)
    add_timeline_entry(account, ActivityKind.STATUS_CHANGE, body, actor, old=old.value, new=new.value, system=system)
    changes = {"status": {"old": old.value, "new": new.value}}
    audit.record(actor, account.agency_id, "account.status_changed", "account", account.id, changes)
    webhooks.emit(account.agency_id, "account.status_changed", status_event(account.id, old, new))


def assign_collector(account_id: int, collector_id: int, *, actor: User) -> Account:
    """Assign or reassign an account to an active collector of the same agency (admins only).

    A new account becomes ``assigned``. Raises PermissionDenied for non-admins, NotFound for a foreign
    account, ValidationFailed for an unknown, inactive or full collector or a closed account.
    """
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only an agency admin can assign accounts.")
    account = queries.get_account(actor, account_id, for_update=True)
    collector = _lock_assignable_collector(actor, collector_id)
    _check_can_assign(account, collector)
    previous = db.session.get(User, account.assigned_collector_id) if account.assigned_collector_id else None
    account.assigned_collector_id = collector.id
    body = assignment_text(collector.full_name, previous and previous.full_name)
    add_timeline_entry(account, ActivityKind.ASSIGNMENT, body, actor, old=previous and previous.id, new=collector.id)
    audit.record(
        actor,
        account.agency_id,
        "account.assigned",
        "account",
        account.id,
        {"assigned_collector_id": {"old": previous and previous.id, "new": collector.id}},
    )
    announce_assignment(account, previous and previous.id)
    if status_after_assignment(account.status) != account.status:
        set_status(account, status_after_assignment(account.status), actor, system="assignment")
    db.session.commit()
    return account


def announce_assignment(account: Account, previous_id: int | None) -> None:
    """The ``account.assigned`` webhook event (also for an unassignment: ``collector_id`` null)."""
    data = assigned_event(account.id, account.assigned_collector_id, previous_id)
    webhooks.emit(account.agency_id, "account.assigned", data)


def assigned_event(account_id: int, collector_id: int | None, previous_id: int | None) -> dict:
    """The data of an ``account.assigned`` webhook event."""
    return {"account_id": account_id, "collector_id": collector_id, "previous_collector_id": previous_id}


def status_event(account_id: int, old: Status, new: Status) -> dict:
    """The data of an ``account.status_changed`` webhook event."""
    return {"account_id": account_id, "old_status": old.value, "new_status": new.value}


def announce_many(agency_id: int, event_type: str, datas: list[dict]) -> None:
    """A bulk change's webhook events, one per account (``assigned_event``, ``status_event``)."""
    webhooks.emit_many(agency_id, event_type, datas)


def set_due_date(account_id: int, due_date: date | None, *, actor: User) -> Account:
    """Set (or clear, with None) an account's due date (admins only), audited and on the timeline.

    Raises PermissionDenied for collectors, NotFound for a foreign account, ValidationFailed for a date outside
    the days the app accepts anywhere (``agencyday.is_plausible_day``).
    """
    check_due_date(actor, due_date)
    account = queries.get_account(actor, account_id, for_update=True)
    apply_due_date(actor, account, due_date)
    db.session.commit()
    return account


def check_due_date(actor: User, due_date: date | None) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can set an account's due date.")
    if due_date is not None and not is_plausible_day(due_date):
        message = "Enter a date between 1900 and 2200."
        raise ValidationFailed(message, {"due_date": message})


def apply_due_date(actor: User, account: Account, due_date: date | None) -> None:
    """The change of a checked due date on a locked account, audited and on the timeline (no commit)."""
    old = account.due_date
    if old == due_date:
        return
    account.due_date = due_date
    before, after = (d.isoformat() if d else None for d in (old, due_date))
    body = f"Due date changed from {before or 'none'} to {after or 'none'}"
    add_timeline_entry(account, ActivityKind.DUE_DATE, body, actor, old=before, new=after)
    changes = audit.diff({"due_date": old}, {"due_date": due_date})
    audit.record(actor, account.agency_id, "account.due_date_changed", "account", account.id, changes)


def assignment_text(collector_name: str, previous_name: str | None = None) -> str:
    """The timeline wording of an assignment."""
    return f"Assigned to {collector_name}" + (f" (was {previous_name})" if previous_name else "")


def status_after_assignment(status: Status) -> Status:
    """The system transition of an assignment: a new account becomes assigned, any other keeps its status."""
    return Status.ASSIGNED if status == Status.NEW else status


def assignment_refusal(status: Status, current_collector_id: int | None, collector_ids: set[int]) -> str | None:
    """Why an account is not (re)assigned to one of ``collector_ids``: "closed" (final), "already" (it is
    with one of them), or None when it can be."""
    if status == Status.CLOSED:
        return "closed"
    if current_collector_id in collector_ids:
        return "already"
    return None


def counts_against_limit(status: Status) -> bool:
    """Whether an account in ``status`` takes one of its collector's max open accounts."""
    return status in queries.WORKING_STATUSES


def lock_assignable_collectors(actor: User, collector_ids: list[int]) -> list[CollectorProfile]:
    """The active collectors of the actor's agency among ``collector_ids``, their profile rows locked in id
    order (one order for every caller, so two assigners never deadlock) against racing assigns."""
    stmt = (
        select(CollectorProfile)
        .join(User, User.id == CollectorProfile.user_id)
        .where(
            CollectorProfile.user_id.in_(collector_ids),
            CollectorProfile.agency_id == actor.agency_id,
            CollectorProfile.active.is_(True),
            User.active.is_(True),
            User.role == Role.COLLECTOR,
        )
        .order_by(CollectorProfile.user_id)
        .with_for_update(of=CollectorProfile)
    )
    return list(db.session.scalars(stmt))


def _lock_assignable_collector(actor: User, collector_id: int) -> User:
    """The active collector of the actor's agency, with their profile row locked against racing assigns."""
    profiles = lock_assignable_collectors(actor, [collector_id])
    if not profiles:
        raise ValidationFailed("Choose an active collector of your agency.", {"collector_id": "Not available."})
    return profiles[0].user


def _check_can_assign(account: Account, collector: User) -> None:
    refusal = assignment_refusal(account.status, account.assigned_collector_id, {collector.id})
    if refusal == "closed":
        raise ValidationFailed("A closed account cannot be reassigned.", {"collector_id": "Account is closed."})
    if refusal == "already":
        message = f"The account is already assigned to {collector.full_name}."
        raise ValidationFailed(message, {"collector_id": message})
    limit = collector.collector_profile.max_open_accounts
    if counts_against_limit(account.status) and queries.count_open_accounts(collector.id) >= limit:
        message = f"{collector.full_name} already has {limit} open accounts, their maximum."
        raise ValidationFailed(message, {"collector_id": message})
