"""Calendar helpers for analytics: periods of local days, their UTC bounds, and parsed date ranges."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.agencyday import day_end, day_start, is_plausible_day, local_today
from app.errors import ValidationFailed

GRANULARITIES = ("day", "week", "month")
MAX_POINTS = 400  # a chart or table longer than this is unreadable; ask for a coarser granularity


@dataclass(frozen=True)
class Range:
    """Whole local days ``start`` to ``end`` inclusive."""

    start: date
    end: date


def utc_bounds(rng: Range, tz: str) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of the range's local days."""
    return day_start(rng.start, tz), day_end(rng.end, tz)


def period_start(day: date, granularity: str) -> date:
    """The first day of the day/ISO week (Monday)/month containing ``day``."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def next_period(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def period_starts(rng: Range, granularity: str) -> list[date]:
    """Every period touching the range, so periods without payments still appear (as zero)."""
    starts, current = [], period_start(rng.start, granularity)
    while current <= rng.end:
        starts.append(current)
        current = next_period(current, granularity)
    return starts


def parse_granularity(value: str | None) -> str:
    """``day``, ``week`` or ``month`` (default ``day``); ValidationFailed (422) for anything else."""
    value = (value or "day").strip().lower()
    if value not in GRANULARITIES:
        raise ValidationFailed("Granularity must be day, week or month.", {"granularity": "Unknown granularity."})
    return value


def parse_range(raw_from: str | None, raw_to: str | None, tz: str, default_days: int = 30) -> Range:
    """A date range from ISO strings (defaults: the last ``default_days`` days up to today, agency time).

    Raises ValidationFailed for a malformed date or an end before the start.
    """
    today = local_today(tz)
    end = _parse_date(raw_to, "to") or today
    start = _parse_date(raw_from, "from") or end - timedelta(days=default_days - 1)
    if end < start:
        raise ValidationFailed("The end date is before the start date.", {"to": "Before the start."})
    return Range(start, end)


def check_points(rng: Range, granularity: str) -> None:
    """Refuse (422) a range with more periods than a chart can show."""
    days = (rng.end - rng.start).days
    months = (rng.end.year - rng.start.year) * 12 + rng.end.month - rng.start.month
    points = {"day": days + 1, "week": days // 7 + 2, "month": months + 1}[granularity]
    if points > MAX_POINTS:
        message = f"That range has more than {MAX_POINTS} {granularity}s; choose a coarser granularity."
        raise ValidationFailed(message, {"granularity": message})


def _parse_date(raw: str | None, field: str) -> date | None:
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        value = None
    if value is None or not is_plausible_day(value):
        raise ValidationFailed(f"'{raw}' is not a date (use YYYY-MM-DD).", {field: "Not a date."})
    return value
