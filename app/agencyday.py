"""The agency's day: the one definition of which calendar day an instant falls on, and of a day's bounds.

An agency works in its own timezone (``Agency.timezone``). Timestamps are stored in UTC; every date that is
shown, filtered on or recorded as "today" is a day of that timezone, computed here.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.timeutil import utcnow

# The days a filter or a form may name: beyond them a date is a typo or a probe, and its bounds in UTC can
# overflow Python's datetime (9999-12-31 has no next day).
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2200, 12, 31)


def is_plausible_day(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def local_time(instant: datetime, tz: str) -> datetime:
    """A UTC-aware instant as the agency's wall-clock time."""
    return instant.astimezone(ZoneInfo(tz))


def local_date(instant: datetime, tz: str) -> date:
    """The agency's calendar day on which ``instant`` falls."""
    return local_time(instant, tz).date()


def local_today(tz: str, now: datetime | None = None) -> date:
    """The agency's today (at ``now``, default the current time)."""
    return local_date(now or utcnow(), tz)


def day_start(day: date, tz: str) -> datetime:
    """The UTC instant at which ``day`` begins in the agency's timezone."""
    return datetime.combine(day, time(), ZoneInfo(tz)).astimezone(UTC)


def day_end(day: date, tz: str) -> datetime:
    """The UTC instant at which ``day`` ends (the next day's start, excluded from the day)."""
    return day_start(day + timedelta(days=1), tz)


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of the agency's ``day`` in UTC, for filtering timestamps."""
    return day_start(day, tz), day_end(day, tz)
