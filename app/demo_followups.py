"""The demo's follow-ups: each collector has some due today and one overdue, so that the worklist's work-score
order and its "why this order" lines show at first sight."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.accounts.followups import place_follow_up
from app.accounts.models import Account
from app.accounts.states import OPEN_STATUSES
from app.agencies.models import Agency
from app.agencyday import day_start, local_today
from app.auth.models import User
from app.extensions import db

# (days from the agency's today, local time, reason), one per account, given to each collector's first accounts
FOLLOW_UPS = (
    (0, time(10, 0), "Call back: asked for a morning call"),
    (0, time(17, 30), "Call back after work about a payment plan"),
    (-1, time(14, 0), "Check the promised transfer arrived"),
)


def seed_follow_ups(agency: Agency, collectors: list[User], now: datetime) -> int:
    """Set ``FOLLOW_UPS`` on each collector's open accounts (lowest ids first); return how many were set (the
    demo's one audit event counts them)."""
    today = local_today(agency.timezone, now)
    count = 0
    for collector in collectors:
        for account, (days, at, reason) in zip(_open_accounts(collector), FOLLOW_UPS, strict=False):
            due = day_start(today + timedelta(days=days), agency.timezone) + timedelta(hours=at.hour, minutes=at.minute)
            place_follow_up(account, due, reason, collector)
            count += 1
    return count


def _open_accounts(collector: User) -> list[Account]:
    stmt = (
        select(Account)
        .where(Account.assigned_collector_id == collector.id, Account.status.in_(sorted(OPEN_STATUSES)))
        .order_by(Account.id)
        .limit(len(FOLLOW_UPS))
    )
    return list(db.session.scalars(stmt))
