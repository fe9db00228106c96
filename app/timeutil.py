"""UTC-aware time helpers (one place, so tests and services agree on 'now')."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class Clock:
    """The app's "now": the wall clock plus an offset that tests move forward, so a lockout or a session can
    expire in a test without sleeping; or, frozen, a fixed instant, for a test at an exact boundary (a
    webhook signature 300 s old) that the wall clock would move across. Production never moves it."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.frozen: datetime | None = None

    def now(self) -> datetime:
        return (self.frozen or datetime.now(UTC)) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def freeze(self) -> datetime:
        """Stop the clock at the current whole second (where it stays until ``reset``); that instant."""
        self.frozen = datetime.now(UTC).replace(microsecond=0)
        return self.now()

    def reset(self) -> None:
        self.offset = timedelta(0)
        self.frozen = None


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

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value, _dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timeutil.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, _dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
