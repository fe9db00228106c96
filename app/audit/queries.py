"""Reading the audit trail of the viewer's agency."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.queries import Page
from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db


@dataclass
class AuditFilters:
    entity_type: str = ""
    entity_id: str = ""
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def list_events(viewer: User, f: AuditFilters, page: int = 1, size: int = 50) -> Page:
    """Newest-first audit events of the viewer's agency; dates are days in the agency's timezone."""
    tz = viewer.agency.timezone
    stmt = select(AuditEvent).where(AuditEvent.agency_id == viewer.agency_id)
    if f.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == f.entity_type)
    if f.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    if f.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == f.actor_id)
    if f.date_from:
        stmt = stmt.where(AuditEvent.created_at >= _day_start(f.date_from, tz))
    if f.date_to:
        stmt = stmt.where(AuditEvent.created_at < _day_start(f.date_to + timedelta(days=1), tz))
    stmt = stmt.order_by(AuditEvent.id.desc()).options(joinedload(AuditEvent.actor))
    rows = db.session.scalars(stmt.offset((page - 1) * size).limit(size + 1)).all()
    return Page(items=list(rows[:size]), number=page, size=size, has_next=len(rows) > size)


def list_entity_types(viewer: User) -> list[str]:
    stmt = select(AuditEvent.entity_type).where(AuditEvent.agency_id == viewer.agency_id).distinct()
    return sorted(db.session.scalars(stmt))


def list_actors(viewer: User) -> list[User]:
    return list(db.session.scalars(select(User).where(User.agency_id == viewer.agency_id).order_by(User.full_name)))
