"""UTC-aware time helpers (one place, so tests and services agree on 'now')."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class Clock:
    """The app's "now": the wall clock plus an offset that tests move forward, so a lockout or a session can
    expire in a test without sleeping. Production never moves it."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def reset(self) -> None:
        self.offset = timedelta(0)


clock = Clock()


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the app's clock)."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    The same on every database: a value read back without a zone (SQLite stores none) is UTC, the zone it was
    written in; one with a zone is left as the driver gives it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, _dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timeutil.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, _dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
