"""Signing in and out, server-side sessions, and password changes."""

import secrets
from functools import cache

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.events import announce
from app.auth.models import User, UserSession
from app.errors import ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

LOGIN_FAILED = "Invalid username or password."
MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash() -> str:
    """A real hash to check against when the username is unknown, so a miss costs as long as a hit."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User:
    """Return the active user with these credentials, or raise one message that names neither part."""
    user = db.session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        check_password_hash(_dummy_hash(), password)
        raise ValidationFailed(LOGIN_FAILED)
    if not user.check_password(password) or not user.active:
        raise ValidationFailed(LOGIN_FAILED)
    return user


def start_session(user: User) -> str:
    """Open a server-side session for ``user`` and return its token."""
    session = UserSession(user_id=user.id)
    db.session.add(session)
    db.session.flush()
    announce("auth.login", user, actor=user)
    db.session.commit()
    return session.token


def load_session_user(token: str) -> User | None:
    """The active user behind a live (not revoked) session token, if any."""
    stmt = select(UserSession).where(UserSession.token == token, UserSession.revoked_at.is_(None))
    session = db.session.scalars(stmt).first()
    if session is None or not session.user.active:
        return None
    session.user.current_session_token = token
    return session.user


def end_session(user: User, token: str) -> None:
    """Revoke one session (logout)."""
    stmt = update(UserSession).where(UserSession.token == token, UserSession.user_id == user.id)
    db.session.execute(stmt.values(revoked_at=utcnow()))
    announce("auth.logout", user, actor=user)
    db.session.commit()


def revoke_all_sessions(user: User) -> None:
    """Revoke every live session of ``user`` (no commit: part of the caller's transaction)."""
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
    if len(new) < MIN_PASSWORD_LENGTH or new == current:
        message = f"Use at least {MIN_PASSWORD_LENGTH} characters, different from the current password."
        raise ValidationFailed(message, {"new_password": message})
    user.set_password(new)
    revoke_all_sessions(user)
    announce("auth.password_changed", user, actor=actor)
    fresh = UserSession(user_id=user.id)
    db.session.add(fresh)
    db.session.commit()
    return fresh.token
