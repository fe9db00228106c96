"""Collector management (admins only): create with a one-time password, edit, deactivate, reactivate. Audited."""

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from app.accounts import queries as account_queries
from app.accounts import services as account_services
from app.audit import services as audit
from app.auth import services as auth_services
from app.auth.models import Role, User
from app.collectors.models import CollectorProfile
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
FIELDS = ("full_name", "email", "commission_rate", "max_open_accounts")


@dataclass
class NewCollector:
    user: User
    temporary_password: str  # shown once to the admin; only its hash is stored


def create_collector(username: str, values: dict, *, actor: User) -> NewCollector:
    """Create an active collector of the actor's agency with a random temporary password.

    Raises PermissionDenied for non-admins, ValidationFailed for a taken or malformed username or bad values.
    """
    _require_admin(actor)
    name = (username or "").strip().lower()
    if not USERNAME.fullmatch(name):
        raise ValidationFailed("Use 3–80 lower-case letters, digits, dots, dashes.", {"username": "Invalid username."})
    if db.session.scalar(select(func.count(User.id)).where(User.username == name)):
        raise ValidationFailed("That username is taken.", {"username": "Already taken."})
    clean = _clean(values)
    password = secrets.token_urlsafe(12)
    user = User(
        agency_id=actor.agency_id,
        username=name,
        role=Role.COLLECTOR,
        active=True,
        full_name=clean["full_name"],
        email=clean["email"],
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    profile = CollectorProfile(
        user_id=user.id,
        agency_id=actor.agency_id,
        active=True,
        commission_rate=clean["commission_rate"],
        max_open_accounts=clean["max_open_accounts"],
    )
    db.session.add(profile)
    after = {"username": name, **clean}
    audit.record(actor, actor.agency_id, "collector.created", "user", user.id, audit.diff({}, after))
    db.session.commit()
    return NewCollector(user, password)


def update_collector(collector_id: int, values: dict, *, actor: User) -> User:
    """Change a collector's name, email, commission rate and capacity (audited field by field)."""
    _require_admin(actor)
    user = get_collector(actor, collector_id)
    clean = _clean(values)
    before = _snapshot(user)
    user.full_name, user.email = clean["full_name"], clean["email"]
    profile = user.collector_profile
    profile.commission_rate, profile.max_open_accounts = clean["commission_rate"], clean["max_open_accounts"]
    changes = audit.diff(before, _snapshot(user))
    if changes:
        audit.record(actor, actor.agency_id, "collector.updated", "user", user.id, changes)
    db.session.commit()
    return user


def deactivate_collector(collector_id: int, action: str, target_id: int | None, *, actor: User) -> int:
    """Deactivate a collector, end their sessions, and unassign or move their open accounts in the same step.

    ``action`` is "unassign" or "move" (to the active collector ``target_id``, who must have room for them
    all). Returns how many accounts were handed over. Raises ValidationFailed for a bad choice.
    """
    _require_admin(actor)
    user = get_collector(actor, collector_id, for_update=True)
    if not user.active:
        raise ValidationFailed(f"{user.full_name} is already inactive.")
    target = _move_target(actor, user, action, target_id)
    moved = account_services.release_open_accounts(user, target, actor=actor)
    user.active, user.collector_profile.active = False, False
    auth_services.revoke_all_sessions(user)
    changes = {
        "active": {"old": True, "new": False},
        "open_accounts": {"action": action, "count": moved, "target_id": target.id if target else None},
    }
    audit.record(actor, actor.agency_id, "collector.deactivated", "user", user.id, changes)
    db.session.commit()
    return moved


def reactivate_collector(collector_id: int, *, actor: User) -> User:
    """Let an inactive collector sign in and take new accounts again (accounts handed over stay where they are)."""
    _require_admin(actor)
    user = get_collector(actor, collector_id, for_update=True)
    if user.active:
        raise ValidationFailed(f"{user.full_name} is already active.")
    user.active, user.collector_profile.active = True, True
    audit.record(
        actor, actor.agency_id, "collector.reactivated", "user", user.id, {"active": {"old": False, "new": True}}
    )
    db.session.commit()
    return user


def get_collector(actor: User, collector_id: int, *, for_update: bool = False) -> User:
    """A collector of the actor's agency; NotFound for anyone else (another agency's collector included)."""
    stmt = (
        select(User)
        .join(CollectorProfile, CollectorProfile.user_id == User.id)
        .where(User.id == collector_id, User.agency_id == actor.agency_id, User.role == Role.COLLECTOR)
    )
    user = db.session.scalars(stmt.with_for_update(of=User) if for_update else stmt).first()
    if user is None:
        raise NotFound("Collector not found.")
    return user


def _move_target(actor: User, user: User, action: str, target_id: int | None) -> User | None:
    if action == "unassign":
        return None
    if action != "move":
        raise ValidationFailed("Choose whether to unassign or move their open accounts.", {"action": "Choose one."})
    if not target_id or target_id == user.id:
        raise ValidationFailed("Choose another active collector.", {"target_id": "Choose a collector."})
    target = get_collector(actor, target_id)
    if not (target.active and target.collector_profile.active):
        raise ValidationFailed("Choose another active collector.", {"target_id": "That collector is inactive."})
    room = target.collector_profile.max_open_accounts - account_queries.count_open_accounts(target.id)
    if account_queries.count_open_accounts(user.id) > room:
        message = f"{target.full_name} has room for only {max(room, 0)} more open accounts."
        raise ValidationFailed(message, {"target_id": message})
    return target


def _clean(values: dict) -> dict:
    """Validated collector fields: name, email, commission rate (0–100 %, given as a percentage), capacity."""
    full_name, email = (values.get("full_name") or "").strip(), (values.get("email") or "").strip()
    if not full_name or len(full_name) > 200:
        raise ValidationFailed("Enter the collector's name.", {"full_name": "Required."})
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise ValidationFailed("Enter a valid email address.", {"email": "Invalid email."})
    rate = _percent(values.get("commission_rate"))
    try:
        capacity = int(str(values.get("max_open_accounts", "")).strip())
    except ValueError:
        capacity = -1
    if not 0 <= capacity <= 100_000:
        raise ValidationFailed("Max open accounts is a whole number from 0.", {"max_open_accounts": "Invalid."})
    return {"full_name": full_name, "email": email, "commission_rate": rate, "max_open_accounts": capacity}


def _percent(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed("Commission is a percentage from 0 to 100.", {"commission_rate": "0–100, 2 decimals."})
    return (value / 100).quantize(Decimal("0.0001"))


def _snapshot(user: User) -> dict:
    profile = user.collector_profile
    return {
        "full_name": user.full_name,
        "email": user.email,
        "commission_rate": profile.commission_rate,
        "max_open_accounts": profile.max_open_accounts,
    }


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can manage collectors.")
