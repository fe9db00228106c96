"""Guessing per account reference: ``MAX_FAILURES`` failed sign-ins within ``WINDOW`` lock that reference of that
agency for ``LOCK_TIME``, however many people or addresses try. The counter lives in the database, as for staff
sign-ins (:mod:`app.auth.lockout`), so every process sees it and it holds with Redis down. Nothing here commits.
"""

from datetime import datetime

from sqlalchemy import case, delete, literal, or_, select, update

from app import pg
from app.auth.lockout import LOCK_TIME, MAX_FAILURES, WINDOW
from app.extensions import db
from app.portal.models import PortalLockout
from app.timeutil import UTCDateTime, utcnow


def locked_until(agency_id: int, reference: str) -> datetime | None:
    """When the reference's lock ends, if it is locked now."""
    stmt = select(PortalLockout.locked_until).where(
        PortalLockout.agency_id == agency_id,
        PortalLockout.reference == reference,
        PortalLockout.locked_until > utcnow(),
    )
    return db.session.scalar(stmt)


def count_failure(agency_id: int, reference: str) -> tuple[int, bool]:
    """Add one failure (in a single upsert, so concurrent attempts can't lose one); returns (failures in the
    window, whether this one locked the reference). Counting starts afresh after a lock."""
    now = utcnow()
    start = literal(now, UTCDateTime())
    new_window = PortalLockout.window_start <= now - WINDOW
    stmt = pg.insert(PortalLockout).values(agency_id=agency_id, reference=reference, failures=1, window_start=start)
    stmt = stmt.on_conflict_do_update(
        index_elements=["agency_id", "reference"],
        set_={
            "failures": case((new_window, 1), else_=PortalLockout.failures + 1),
            "window_start": case((new_window, start), else_=PortalLockout.window_start),
        },
    ).returning(PortalLockout.failures)
    failures = db.session.execute(stmt).scalar_one()
    return failures, failures >= MAX_FAILURES and _lock(agency_id, reference, now)


def clear(agency_id: int, reference: str) -> None:
    """Forget the reference's failures after a successful sign-in."""
    db.session.execute(
        delete(PortalLockout).where(PortalLockout.agency_id == agency_id, PortalLockout.reference == reference)
    )


def _lock(agency_id: int, reference: str, now: datetime) -> bool:
    stmt = (
        update(PortalLockout)
        .where(
            PortalLockout.agency_id == agency_id,
            PortalLockout.reference == reference,
            or_(PortalLockout.locked_until.is_(None), PortalLockout.locked_until <= now),
        )
        .values(locked_until=now + LOCK_TIME, failures=0, window_start=now)
    )
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1
