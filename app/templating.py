"""Jinja filters and globals: money, dates in the agency's timezone, status labels."""

from datetime import datetime

from flask import Flask
from flask_login import current_user

from app.accounts.states import Status
from app.agencyday import local_time
from app.moneyfmt import money


def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC timestamp in the signed-in user's agency timezone."""
    if value is None:
        return "—"
    tz = current_user.agency.timezone if current_user.is_authenticated else "UTC"
    return local_time(value, tz).strftime(fmt)


def status_label(value) -> str:
    return Status(value).label


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, local_dt=local_dt, status_label=status_label)
    app.jinja_env.globals.update(Status=Status)
