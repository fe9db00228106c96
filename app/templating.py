"""Jinja filters and globals: money, dates in the agency's timezone, stored codes as words."""

from datetime import datetime

from flask import Flask
from flask_login import current_user

from app.accounts.states import Status
from app.accounts.workscore import PRIORITY_WORDS, priority_label
from app.agencyday import local_time
from app.forms import SECRET_FIELD_TYPES
from app.moneyfmt import money
from app.timeutil import utcnow
from app.words import words


def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC timestamp in the signed-in user's agency timezone."""
    if value is None:
        return "—"
    tz = current_user.agency.timezone if current_user.is_authenticated else "UTC"
    return local_time(value, tz).strftime(fmt)


def status_label(value) -> str:
    return Status(value).label  # the code checked against the statuses: a wrong one fails loudly


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, local_dt=local_dt, status_label=status_label, priority_label=priority_label, words=words
    )
    app.jinja_env.globals.update(
        Status=Status, PRIORITY_WORDS=PRIORITY_WORDS, now_utc=utcnow, SECRET_FIELD_TYPES=SECRET_FIELD_TYPES
    )
