"""Follow-ups (a time to come back to an account, with the reason) and the admin's priority of an account.

Each use case is one transaction, audited, and lands on the account's timeline. The account keeps its
earliest open follow-up's due time (``Account.next_follow_up_at``) for the work score: every change here
refreshes it, and nothing else writes follow-ups.
"""

from datetime import datetime

from sqlalchemy import func, select

from app.accounts import queries, services
from app.accounts.models import Account, ActivityKind, FollowUp
from app.accounts.services import add_timeline_entry
from app.accounts.workscore import PRIORITY_WORDS, priority_label
from app.agencies.models import Agency
from app.agencyday import local_time
from app.audit import services as audit
from app.auth.models import User
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.sensitive import refuse_sensitive
from app.timeutil import utcnow

MAX_REASON = 200


def set_follow_up(actor: User, account: Account, due_at: datetime, reason: str) -> FollowUp:
    """Add a follow-up on ``account`` (one the actor may see) due at ``due_at`` (timezone-aware), with a reason.

    No commit: the caller's transaction (``add_follow_up`` for one account; a bulk change for many). Raises
    NotFound for an account outside the actor's scope, ValidationFailed for an empty or long reason or a naive
    time.
    """
    text = check_follow_up(due_at, reason)
    _ensure_visible(actor, account)
    follow_up = place_follow_up(account, due_at, text, actor)
    changes = {"follow_up_id": follow_up.id, "due_at": {"old": None, "new": due_at.isoformat()}, "reason": text}
    audit.record(actor, account.agency_id, "follow_up.set", "account", account.id, changes)
    return follow_up


def place_follow_up(account: Account, due_at: datetime, reason: str, actor: User | None) -> FollowUp:
    """The follow-up row, the account's next follow-up and the timeline entry, without checks or audit: for
    ``set_follow_up``, for seeding the demo (which audits its whole run as one event) and for the system (actor
    None: a broken plan's follow-up, audited by its caller)."""
    follow_up = FollowUp(
        agency_id=account.agency_id,
        account_id=account.id,
        due_at=due_at,
        reason=reason,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(follow_up)
    db.session.flush()
    _refresh_next(account)
    when = _when(db.session.get(Agency, account.agency_id).timezone, due_at)
    add_timeline_entry(account, ActivityKind.FOLLOW_UP, f"Follow-up set for {when}: {reason}", actor)
    return follow_up


def add_follow_up(account_id: int, due_at: datetime, reason: str, *, actor: User) -> FollowUp:
    """``set_follow_up`` on one account, committed."""
    account = queries.get_account(actor, account_id, for_update=True)
    follow_up = set_follow_up(actor, account, due_at, reason)
    db.session.commit()
    return follow_up


def complete_follow_up(follow_up_id: int, *, actor: User) -> FollowUp:
    """Mark an open follow-up done (by the actor, now). Raises NotFound outside the actor's scope or once done."""
    follow_up, account = _open_follow_up(actor, follow_up_id)
    follow_up.done_at, follow_up.done_by_id = utcnow(), actor.id
    db.session.flush()
    _refresh_next(account)
    add_timeline_entry(account, ActivityKind.FOLLOW_UP, f"Follow-up done: {follow_up.reason}", actor)
    changes = {"follow_up_id": follow_up.id, "done_at": {"old": None, "new": follow_up.done_at.isoformat()}}
    audit.record(actor, account.agency_id, "follow_up.completed", "account", account.id, changes)
    db.session.commit()
    return follow_up


def move_follow_up(follow_up_id: int, due_at: datetime, *, actor: User) -> FollowUp:
    """Move an open follow-up to ``due_at``. Raises NotFound outside the actor's scope or once done."""
    check_follow_up(due_at, "moved")
    follow_up, account = _open_follow_up(actor, follow_up_id)
    before = follow_up.due_at.isoformat()
    follow_up.due_at = due_at
    db.session.flush()
    _refresh_next(account)
    body = f"Follow-up moved to {_when(actor.agency.timezone, due_at)}: {follow_up.reason}"
    add_timeline_entry(account, ActivityKind.FOLLOW_UP, body, actor)
    changes = {"follow_up_id": follow_up.id, "due_at": {"old": before, "new": due_at.isoformat()}}
    audit.record(actor, account.agency_id, "follow_up.moved", "account", account.id, changes)
    db.session.commit()
    return follow_up


def open_follow_ups(account: Account) -> list[FollowUp]:
    """The account's open follow-ups, earliest due first."""
    stmt = (
        select(FollowUp)
        .where(FollowUp.account_id == account.id, FollowUp.agency_id == account.agency_id, FollowUp.done_at.is_(None))
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    return list(db.session.scalars(stmt))


def set_priority(account_id: int, priority: int, *, actor: User) -> Account:
    """Set an account's priority (0–3; admins only), audited and on the timeline.

    Raises PermissionDenied for collectors, NotFound for a foreign account, ValidationFailed out of range.
    """
    return change_account(account_id, {"priority": priority}, actor=actor)


def change_account(account_id: int, changes: dict, *, actor: User) -> Account:
    """Set an account's ``priority`` and/or ``due_date`` (the keys of ``changes``; admins only) in one
    transaction: both are checked before either is written."""
    if "priority" in changes:
        check_priority(actor, changes["priority"])
    if "due_date" in changes:
        services.check_due_date(actor, changes["due_date"])
    account = queries.get_account(actor, account_id, for_update=True)
    if "priority" in changes:
        _apply_priority(actor, account, changes["priority"])
    if "due_date" in changes:
        services.apply_due_date(actor, account, changes["due_date"])
    db.session.commit()
    return account


def check_priority(actor: User, priority: int) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can set an account's priority.")
    if priority not in PRIORITY_WORDS:
        raise ValidationFailed("Choose a priority from P0 to P3.", {"priority": "Choose P0 to P3."})


def _apply_priority(actor: User, account: Account, priority: int) -> None:
    old = account.priority
    if old == priority:
        return
    account.priority = priority
    body = f"Priority changed from {priority_label(old)} to {priority_label(priority)}"
    add_timeline_entry(account, ActivityKind.PRIORITY, body, actor, old=old, new=priority)
    changes = {"priority": {"old": old, "new": priority}}
    audit.record(actor, account.agency_id, "account.priority_changed", "account", account.id, changes)


def check_follow_up(due_at: datetime, reason: str) -> str:
    if due_at is None or due_at.tzinfo is None:
        raise ValidationFailed("Give the follow-up's date and time.", {"due_at": "Enter a date and time."})
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        message = f"Give a reason of 1 to {MAX_REASON} characters."
        raise ValidationFailed(message, {"reason": message})
    refuse_sensitive(text, "reason", "follow-up reason")
    return text


def _ensure_visible(actor: User, account: Account) -> None:
    """The same check as reading the account: another agency's or collector's account is "not found"."""
    mine = account.agency_id == actor.agency_id and (actor.is_admin or account.assigned_collector_id == actor.id)
    if not mine:
        raise NotFound("Account not found.")


def _open_follow_up(actor: User, follow_up_id: int) -> tuple[FollowUp, Account]:
    """The open follow-up and its (locked) account if the actor may see the account; NotFound otherwise."""
    stmt = select(FollowUp).where(
        FollowUp.id == follow_up_id, FollowUp.agency_id == actor.agency_id, FollowUp.done_at.is_(None)
    )
    follow_up = db.session.scalars(stmt).first()
    if follow_up is None:
        raise NotFound("Follow-up not found.")
    return follow_up, queries.get_account(actor, follow_up.account_id, for_update=True)


def _refresh_next(account: Account) -> None:
    """``next_follow_up_at``: the earliest open follow-up's due time (flushed rows), None without one."""
    stmt = select(func.min(FollowUp.due_at)).where(
        FollowUp.account_id == account.id, FollowUp.agency_id == account.agency_id, FollowUp.done_at.is_(None)
    )
    account.next_follow_up_at = db.session.scalar(stmt)  # min() keeps the column's type: read back aware


def _when(tz: str, due_at: datetime) -> str:
    """The due time as the agency's wall clock, for the timeline."""
    return local_time(due_at, tz).strftime("%Y-%m-%d %H:%M")
