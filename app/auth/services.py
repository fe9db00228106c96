"""Signing in and out, server-side sessions, and passwords (changed by their user, or reset by an admin)."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select, update

from app.auth import lockout, passwords
from app.auth.apitokens import revoke_user_tokens
from app.auth.events import announce
from app.auth.lockout import record_failure  # also how a second factor counts its failed codes
from app.auth.models import User, UserSession
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.requestmeta import current_meta, current_user_agent
from app.timeutil import utcnow

LOGIN_FAILED = "Invalid username or password."
# last_seen_at is written at most this often: a write per request would cost more than the idle timeout needs.
TOUCH_EVERY = timedelta(minutes=1)


@cache
def _dummy_hash() -> str:
    """A real argon2id hash to check against when the username is unknown, so a miss costs as long as a hit."""
    return passwords.hash_password(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User:
    """Return the active, unlocked user with these credentials, or raise one message that names neither part
    nor says the account is locked; every failure is recorded (``lockout``).

    A password still hashed the old way is rehashed with argon2id now that its plain text is known (silently).
    """
    name = username.strip().lower()
    user = db.session.scalars(select(User).where(User.username == name)).first()
    if user is None:
        passwords.verify_password(_dummy_hash(), password)
        lockout.record_unknown_username(name)
        raise ValidationFailed(LOGIN_FAILED)
    correct = user.check_password(password)  # checked even when locked: the same time for every refusal
    if not correct or not user.active or lockout.is_locked(user):
        record_failure(user, "password" if not correct else "inactive" if not user.active else "locked")
        raise ValidationFailed(LOGIN_FAILED)
    if passwords.needs_rehash(user.password_hash):
        user.set_password(password)
        db.session.commit()
    return user


def get_active_user(user_id: int | None) -> User | None:
    """The active user with this id, if any (a sign-in half done keeps only the id)."""
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.active else None


def start_session(user: User) -> str:
    """Open a server-side session for ``user`` (recording the client's IP and device) and return its token."""
    session = _new_session(user)
    lockout.clear_failures(user)
    announce("auth.login", user, actor=user)
    db.session.commit()
    return session.token


def load_session_user(token: str) -> User | None:
    """The active user behind a live session token: not revoked, not idle too long, not too old."""
    stmt = select(UserSession).where(UserSession.token == token, UserSession.revoked_at.is_(None))
    session = db.session.scalars(stmt).first()
    now = utcnow()
    if session is None or session.expired(now, *session_limits()) or not session.user.active:
        return None
    if now - session.last_seen_at > TOUCH_EVERY:
        _touch(session, now)
    session.user.current_session_token = token
    return session.user


def session_limits() -> tuple[timedelta, timedelta]:
    """(idle timeout, absolute lifetime) of a session, from the configuration."""
    config = current_app.config
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(hours=config["SESSION_MAX_HOURS"])


def _touch(session: UserSession, now) -> None:
    """Move last_seen_at on, in its own commit. The user loader runs at a request's first look at
    ``current_user`` (the login gate), before the view has written anything this commit could carry."""
    session.last_seen_at = now
    db.session.commit()


def list_sessions(user: User) -> list[UserSession]:
    """The user's live sessions, the most recently used first."""
    stmt = select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    now, limits = utcnow(), session_limits()
    live = [s for s in db.session.scalars(stmt) if not s.expired(now, *limits)]
    return sorted(live, key=lambda s: s.last_seen_at, reverse=True)


def end_session_by_ref(user: User, ref: str, *, actor: User) -> UserSession:
    """End one of ``user``'s live sessions, named by its ``ref``; audited. Raises NotFound for any other ref."""
    session = next((s for s in list_sessions(user) if s.ref == ref), None)
    if session is None:
        raise NotFound()
    session.revoked_at = utcnow()
    changes = {"session": ref, "ip": session.ip, "device": session.user_agent}
    announce("auth.session_ended", user, actor=actor, changes=changes)
    db.session.commit()
    return session


def end_session(user: User, token: str) -> None:
    """Revoke one session (logout)."""
    stmt = update(UserSession).where(UserSession.token == token, UserSession.user_id == user.id)
    db.session.execute(stmt.values(revoked_at=utcnow()))
    announce("auth.logout", user, actor=user)
    db.session.commit()


def revoke_all_sessions(user: User) -> None:
    """Revoke every live session and API token of ``user`` (no commit: part of the caller's transaction)."""
    revoke_user_tokens(user)
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(user: User, current: str, new: str, *, actor: User) -> str:
    """Set a new password, end every session of the user, and return a fresh session token.

    Raises ValidationFailed (with the field) when the current password is wrong or the new one is weak.
    """
    if not user.check_password(current):
        raise ValidationFailed("Current password is incorrect.", {"current_password": "Incorrect password."})
    if new == current:
        message = "Choose a password different from the current one."
        raise ValidationFailed(message, {"new_password": message})
    passwords.check_policy(new, "new_password", personal_words(user))
    user.set_password(new)
    user.password_must_change = False
    revoke_all_sessions(user)
    announce("auth.password_changed", user, actor=actor)
    fresh = _new_session(user)
    db.session.commit()
    return fresh.token


def _new_session(user: User) -> UserSession:
    """A session row for ``user`` on this request's client (its IP and device, for the sessions page)."""
    session = UserSession(user_id=user.id, ip=current_meta()[0], user_agent=current_user_agent())
    db.session.add(session)
    db.session.flush()
    return session


@dataclass
class PasswordReset:
    user: User
    temporary_password: str  # shown once to the admin; only its hash is stored


def reset_password(user_id: int, *, actor: User) -> PasswordReset:
    """Give another user of the admin's agency a temporary password, returned once; audited.

    The user must change it at their next sign-in; their sessions end; their MFA stays as it is (a password
    reset never lets anyone past the second factor). Raises PermissionDenied for non-admins, NotFound for a
    user of another agency, ValidationFailed for the admin's own account.
    """
    user = agency_user(actor, user_id)
    temporary = passwords.generate_temporary()
    passwords.check_policy(temporary, "password", personal_words(user))
    user.set_password(temporary)
    user.password_must_change = True
    revoke_all_sessions(user)
    announce("auth.password_reset", user, actor=actor)
    db.session.commit()
    return PasswordReset(user, temporary)


def agency_user(actor: User, user_id: int) -> User:
    """Another user of the admin ``actor``'s agency, locked for the change; NotFound for anyone else's.

    Raises PermissionDenied for non-admins and ValidationFailed for the actor's own account (which they manage
    from their own account pages, with their password).
    """
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can manage other users.")
    stmt = select(User).where(User.id == user_id, User.agency_id == actor.agency_id).with_for_update()
    user = db.session.scalars(stmt).first()
    if user is None:
        raise NotFound("User not found.")
    if user.id == actor.id:
        raise ValidationFailed("Manage your own password and MFA from your account pages.")
    return user


def personal_words(user: User) -> list[str]:
    """Words a password of ``user`` must not lean on: their username, name and email."""
    return [user.username, *user.full_name.split(), user.email]
