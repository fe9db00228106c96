"""Aging buckets: open accounts by days past due, in the agency's calendar. Shared by the report and the list."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_

from app.accounts.models import Account


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    min_days: int | None  # days past due, inclusive; None: unbounded
    max_days: int | None


# Days past due = today − due date. Due today is 0 days past due (bucket 0–30); due later is "not yet due".
BUCKETS = (
    Bucket("not_due", "Not yet due", None, -1),
    Bucket("0_30", "0–30 days", 0, 30),
    Bucket("31_60", "31–60 days", 31, 60),
    Bucket("61_90", "61–90 days", 61, 90),
    Bucket("91_180", "91–180 days", 91, 180),
    Bucket("180_plus", "180+ days", 181, None),
    Bucket("no_due_date", "No due date", None, None),
)
BY_KEY = {b.key: b for b in BUCKETS}


NO_DUE_DATE = date(1, 1, 1)  # stands for "no due date" where a key cannot be NULL (the aging rollup)


def due_bounds(bucket: Bucket, today: date) -> tuple[date | None, date | None]:
    """The earliest and latest due date in ``bucket`` (None: unbounded on that side)."""
    earliest = None if bucket.max_days is None else today - timedelta(days=bucket.max_days)
    latest = None if bucket.min_days is None else today - timedelta(days=bucket.min_days)
    return earliest, latest


def bucket_condition(bucket: Bucket, today: date, column=None) -> ColumnElement[bool]:
    """The SQL condition on a due date column (``Account.due_date`` by default) placing a row in ``bucket``."""
    column = Account.due_date if column is None else column
    if bucket.key == "no_due_date":
        return column.is_(None) if column is Account.due_date else column == NO_DUE_DATE
    earliest, latest = due_bounds(bucket, today)
    parts = [] if earliest is None else [column >= earliest]
    if latest is not None:
        parts.append(column <= latest)
    return and_(*parts)
