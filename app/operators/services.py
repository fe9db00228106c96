"""What operators do: sign in, create an agency with its first admin (a one-time set-up link), and what that admin
does with the link. Operators are created on the command line only (``flask operators create``)."""

import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from app import crypto
from app.agencies.models import Agency
from app.audit import services as audit
from app.auth import passwords
from app.auth.models import Role, User
from app.compliance.state_rules import seed_state_rules
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.operators.models import Operator, SetupLink
from app.timeutil import utcnow

SETUP_LINK_DAYS = 7
_DUMMY = passwords.hash_password(secrets.token_urlsafe(16))


def create_operator(email: str, password: str) -> Operator:
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise ValidationFailed("Give an email address.", {"email": "Not an email address."})
    if db.session.scalar(select(Operator).where(Operator.email == email)):
        raise ValidationFailed("An operator with this email exists.", {"email": "Already an operator."})
    passwords.check_policy(password, "password", [email])
    operator = Operator(email=email, password_hash=passwords.hash_password(password))
    db.session.add(operator)
    db.session.commit()
    return operator


def authenticate(email: str, password: str) -> Operator:
    """The active operator with these credentials; the same error (and the same work) for any failure."""
    operator = db.session.scalar(select(Operator).where(Operator.email == email.strip().lower()))
    ok = passwords.verify_password(operator.password_hash if operator else _DUMMY, password)
    if not (operator and operator.active and ok):
        raise ValidationFailed("Wrong email or password.")
    operator.last_login_at = utcnow()
    db.session.commit()
    return operator


def active_operator(operator_id: int | None) -> Operator | None:
    operator = db.session.get(Operator, operator_id) if operator_id else None
    return operator if operator and operator.active else None


def create_agency(name: str, admin_email: str, *, operator: str) -> tuple[Agency, str]:
    """A new agency and its first admin, who chooses a password through the returned one-time set-up token.

    ``operator`` names who did it (an operator's email, or "command line") in the agency's audit trail.
    """
    name, admin_email = name.strip(), admin_email.strip().lower()
    if not name:
        raise ValidationFailed("Give the agency a name.", {"name": "Required."})
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", admin_email):
        raise ValidationFailed("Give the admin's email address.", {"admin_email": "Not an email address."})
    agency = Agency(name=name, slug=_free_slug(name))
    unusable = passwords.hash_password(secrets.token_urlsafe(32))  # until the admin chooses one through the link
    admin = User(agency=agency, username=_free_username(admin_email), email=admin_email, full_name=admin_email,
                 role=Role.ADMIN, active=True, password_hash=unusable)  # fmt: skip
    db.session.add_all([agency, admin])
    db.session.flush()
    token = _new_link(admin)
    seed_state_rules(agency.id)
    audit.record(None, agency.id, "agency.created", "agency", agency.id,
                 {"name": name, "admin_email": admin_email, "by_operator": operator})  # fmt: skip
    db.session.commit()
    return agency, token


def _new_link(user: User) -> str:
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=SETUP_LINK_DAYS)
    db.session.add(SetupLink(user_id=user.id, token_digest=crypto.token_digest(token), expires_at=expires))
    return token


def _free_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "agency"
    taken = set(db.session.scalars(select(Agency.slug).where(Agency.slug.like(f"{base}%"))))
    return next(s for s in (base, *(f"{base}-{n}" for n in range(2, 10_000))) if s not in taken)


def _free_username(email: str) -> str:
    base = email.split("@")[0][:60]
    taken = set(db.session.scalars(select(User.username).where(func.lower(User.username).like(f"{base}%"))))
    return next(u for u in (base, *(f"{base}{n}" for n in range(2, 10_000))) if u not in taken)


def setup_link(token: str) -> SetupLink:
    """The unused, unexpired link of ``token``; NotFound otherwise (the same for every reason)."""
    link = db.session.scalar(select(SetupLink).where(SetupLink.token_digest == crypto.token_digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise NotFound("This set-up link is not valid (used, expired or mistyped).")
    return link


def complete_setup(token: str, password: str) -> User:
    """Set the first password of the link's user and spend the link."""
    link = setup_link(token)
    user = db.session.get(User, link.user_id)
    passwords.check_policy(password, "password", [user.username, user.email])
    user.password_hash, user.password_must_change = passwords.hash_password(password), False
    link.used_at = utcnow()
    audit.record(user, user.agency_id, "user.setup_completed", "user", user.id)
    db.session.commit()
    return user
