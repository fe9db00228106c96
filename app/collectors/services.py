"""Collector management (admins only): create with a one-time password, edit, reactivate. Audited.

Deactivating hands the collector's open accounts over, so it lives with the accounts (``accounts.handover``).
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from app.audit import services as audit
from app.auth import passwords
from app.auth.models import Role, User
from app.auth.services import personal_words
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


def create_collector(username: str, values: dict, *, actor: User, password: str | None = None) -> NewCollector:
    """Create an active collector of the actor's agency with a temporary password: ``password``, or a random one.

    Either way the collector must change it at first sign-in. Raises PermissionDenied for non-admins,
    ValidationFailed for a taken or malformed username, bad values or a weak password.
    """
    require_admin(actor)
    name = (username or "").strip().lower()
    if not USERNAME.fullmatch(name):
        raise ValidationFailed("Use 3–80 lower-case letters, digits, dots, dashes.", {"username": "Invalid username."})
    if db.session.scalar(select(func.count(User.id)).where(User.username == name)):
        raise ValidationFailed("That username is taken.", {"username": "Already taken."})
    clean = _clean(values)
    user = User(
        agency_id=actor.agency_id,
        username=name,
        role=Role.COLLECTOR,
        active=True,
        full_name=clean["full_name"],
        email=clean["email"],
        password_must_change=True,
    )
    password = password or passwords.generate_temporary()
    passwords.check_policy(password, "password", personal_words(user))
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
    require_admin(actor)
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


def reactivate_collector(collector_id: int, *, actor: User) -> User:
    """Let an inactive collector sign in and take new accounts again (accounts handed over stay where they are)."""
    require_admin(actor)
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


def _clean(values: dict) -> dict:
    """Validated collector fields: name, email, commission rate (0–100 %, given as a percentage), capacity."""
    full_name, email = (values.get("full_name") or "").strip(), (values.get("email") or "").strip()
    if not full_name or len(full_name) > 200:
        raise ValidationFailed("Enter the collector's name.", {"full_name": "Required."})
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise ValidationFailed("Enter a valid email address.", {"email": "Invalid email."})
    rate = _percent(values.get("commission_rate"))
    try:
        capacity = int(_ascii(values.get("max_open_accounts", "")))
    except ValueError:
        capacity = -1
    if not 0 <= capacity <= 100_000:
        raise ValidationFailed("Max open accounts is a whole number from 0.", {"max_open_accounts": "Invalid."})
    return {"full_name": full_name, "email": email, "commission_rate": rate, "max_open_accounts": capacity}


def _percent(raw) -> Decimal:
    try:
        value = Decimal(_ascii(raw))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed("Commission is a percentage from 0 to 100.", {"commission_rate": "0–100, 2 decimals."})
    return (value / 100).quantize(Decimal("0.0001"))


def _ascii(raw) -> str:
    """The trimmed text of a number field; ValueError unless plain ASCII (int and Decimal read "５" as 5)."""
    text = str(raw).strip()
    if not text.isascii():
        raise ValueError(text)
    return text


def _snapshot(user: User) -> dict:
    profile = user.collector_profile
    return {
        "full_name": user.full_name,
        "email": user.email,
        "commission_rate": profile.commission_rate,
        "max_open_accounts": profile.max_open_accounts,
    }


def require_admin(actor: User) -> None:
    """PermissionDenied unless ``actor`` is an agency admin (who alone manages collectors)."""
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can manage collectors.")
