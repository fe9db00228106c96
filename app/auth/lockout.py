"""Brute force per account: ``MAX_FAILURES`` failed sign-ins within ``WINDOW`` lock it for ``LOCK_TIME``.

The counter lives in the database (``login_lockouts``), not in Redis, so every process sees it and it holds with
Redis down. A locked account is refused even with the right password, with the very message of a wrong one (no
enumeration). A complete sign-in clears the counter; an admin of the agency may unlock sooner. Any failed factor
counts: the password step and, later, a second factor call ``record_failure`` alike.
"""

from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select, update

from app import pg
from app.auth.events import announce
from app.auth.models import LoginLockout, SecurityEvent, User
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.requestmeta import current_meta, current_user_agent
from app.timeutil import UTCDateTime, utcnow

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)


def locked_until(user_id: int) -> datetime | None:
    """When the user's lock ends, if they are locked out now."""
    stmt = select(LoginLockout.locked_until).where(
        LoginLockout.user_id == user_id, LoginLockout.locked_until > utcnow()
    )
    return db.session.scalar(stmt)


def is_locked(user: User) -> bool:
    return locked_until(user.id) is not None


def locked_users(agency_id: int) -> dict[int, datetime]:
    """The agency's locked-out users: user id -> end of the lock."""
    stmt = (
        select(LoginLockout.user_id, LoginLockout.locked_until)
        .join(User, User.id == LoginLockout.user_id)
        .where(User.agency_id == agency_id, LoginLockout.locked_until > utcnow())
    )
    return dict(db.session.execute(stmt).all())


def record_failure(user: User, reason: str) -> bool:
    """Count and audit one failed attempt on ``user`` (``reason``: "password", "mfa_code", ...), locking the
    account at the ``MAX_FAILURES``-th failure of a window; commits. Returns whether the account is now locked.

    Attempts on a locked account are audited but not counted, so they don't stretch the lock.
    """
    now = utcnow()
    if is_locked(user):
        announce("auth.login_failed", user, actor=None, changes={"reason": reason, "locked": True})
        db.session.commit()
        return True
    failures = _count(user, now)
    announce("auth.login_failed", user, actor=None, changes={"reason": reason, "failures": failures})
    locked = failures >= MAX_FAILURES and _lock(user, now)
    if locked:
        until = (now + LOCK_TIME).isoformat()
        announce("auth.locked", user, actor=None, changes={"failures": failures, "until": until})
    db.session.commit()
    return locked


def record_unknown_username(username: str) -> None:
    """Log a failed sign-in for a username nobody has in the platform's security log (no agency to audit it in)."""
    ip, _ = current_meta()
    event = SecurityEvent(action="auth.login_failed", username=username[:80], ip=ip, user_agent=current_user_agent())
    db.session.add(event)
    db.session.commit()


def clear_failures(user: User) -> None:
    """Forget past failures after a complete sign-in (no commit: part of the caller's transaction)."""
    db.session.execute(delete(LoginLockout).where(LoginLockout.user_id == user.id))


def unlock_user(user_id: int, *, actor: User) -> User:
    """Lift a lockout early (an admin of the user's agency); audited.

    Raises PermissionDenied for non-admins and NotFound for a user of another agency.
    """
    if not actor.is_admin:
        raise PermissionDenied()
    user = db.session.get(User, user_id)
    if user is None or user.agency_id != actor.agency_id:
        raise NotFound()
    until = locked_until(user.id)
    clear_failures(user)
    announce("auth.unlocked", user, actor=actor, changes={"was_locked_until": until.isoformat() if until else None})
    db.session.commit()
    return user


def _count(user: User, now: datetime) -> int:
    """Add one failure in a single upsert (concurrent attempts can't overwrite each other's count); a failure
    after the window starts a new one."""
    start = literal(now, UTCDateTime())
    new_window = LoginLockout.window_start <= now - WINDOW
    stmt = pg.insert(LoginLockout).values(user_id=user.id, failures=1, window_start=start)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id"],
        set_={
            "failures": case((new_window, 1), else_=LoginLockout.failures + 1),
            "window_start": case((new_window, start), else_=LoginLockout.window_start),
        },
    ).returning(LoginLockout.failures)
    return db.session.execute(stmt).scalar_one()


def _lock(user: User, now: datetime) -> bool:
    """Lock the account unless a concurrent attempt already did; counting starts afresh after the lock."""
    stmt = (
        update(LoginLockout)
        .where(
            LoginLockout.user_id == user.id, or_(LoginLockout.locked_until.is_(None), LoginLockout.locked_until <= now)
        )
        .values(locked_until=now + LOCK_TIME, failures=0, window_start=now)
    )
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1
