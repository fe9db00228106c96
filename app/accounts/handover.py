"""Deactivating a collector: their open accounts are unassigned or moved to another collector in the same step."""

from sqlalchemy import select

from app.accounts.models import Account, ActivityKind
from app.accounts.queries import WORKING_STATUSES, count_open_accounts
from app.accounts.services import add_timeline_entry, announce_assignment, set_status
from app.accounts.states import Status
from app.audit import services as audit
from app.auth.models import User
from app.auth.services import revoke_all_sessions
from app.collectors import services as collectors
from app.errors import ValidationFailed
from app.extensions import db


def deactivate_collector(collector_id: int, action: str, target_id: int | None, *, actor: User) -> int:
    """Deactivate a collector, end their sessions, and unassign or move their open accounts in the same step.

    ``action`` is "unassign" or "move" (to the active collector ``target_id``, who must have room for them
    all). Returns how many accounts were handed over. Raises ValidationFailed for a bad choice.
    """
    collectors.require_admin(actor)
    user = collectors.get_collector(actor, collector_id, for_update=True)
    if not user.active:
        raise ValidationFailed(f"{user.full_name} is already inactive.")
    target = _move_target(actor, user, action, target_id)
    moved = release_open_accounts(user, target, actor=actor)
    user.active, user.collector_profile.active = False, False
    revoke_all_sessions(user)
    changes = {
        "active": {"old": True, "new": False},
        "open_accounts": {"action": action, "count": moved, "target_id": target.id if target else None},
    }
    audit.record(actor, actor.agency_id, "collector.deactivated", "user", user.id, changes)
    db.session.commit()
    return moved


def release_open_accounts(collector: User, target: User | None, *, actor: User) -> int:
    """Unassign (``target`` None) or move every open account of ``collector`` (no commit; caller checks target).

    Unassigned accounts still in ``assigned`` go back to ``new``, the state of an account nobody works.
    Each account gets a timeline entry and an audit event. Returns how many accounts changed hands.
    """
    stmt = (
        select(Account)
        .where(
            Account.agency_id == actor.agency_id,
            Account.assigned_collector_id == collector.id,
            Account.status.in_(WORKING_STATUSES),
        )
        .order_by(Account.id)
        .with_for_update()
    )
    accounts = list(db.session.scalars(stmt))
    for account in accounts:
        _hand_over(account, collector, target, actor)
    return len(accounts)


def _hand_over(account: Account, previous: User, target: User | None, actor: User) -> None:
    account.assigned_collector_id = target.id if target else None
    body = f"Assigned to {target.full_name}" if target else "Unassigned"
    body += f" (was {previous.full_name}, deactivated)"
    new_id = target.id if target else None
    add_timeline_entry(account, ActivityKind.ASSIGNMENT, body, actor, old=previous.id, new=new_id)
    changes = {"assigned_collector_id": {"old": previous.id, "new": new_id}}
    audit.record(
        actor, account.agency_id, "account.assigned" if target else "account.unassigned", "account", account.id, changes
    )
    announce_assignment(account, previous.id)
    if target is None and account.status == Status.ASSIGNED:
        set_status(account, Status.NEW, actor, note="collector deactivated", system="unassignment")


def _move_target(actor: User, user: User, action: str, target_id: int | None) -> User | None:
    if action == "unassign":
        return None
    if action != "move":
        raise ValidationFailed("Choose whether to unassign or move their open accounts.", {"action": "Choose one."})
    if not target_id or target_id == user.id:
        raise ValidationFailed("Choose another active collector.", {"target_id": "Choose a collector."})
    target = collectors.get_collector(actor, target_id)
    if not (target.active and target.collector_profile.active):
        raise ValidationFailed("Choose another active collector.", {"target_id": "That collector is inactive."})
    room = target.collector_profile.max_open_accounts - count_open_accounts(target.id)
    if count_open_accounts(user.id) > room:
        message = f"{target.full_name} has room for only {max(room, 0)} more open accounts."
        raise ValidationFailed(message, {"target_id": message})
    return target
