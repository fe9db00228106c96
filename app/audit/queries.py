"""Reading the audit trail of the viewer's agency."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.agencyday import day_end, day_start
from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.paging import Page, paginate


@dataclass
class AuditFilters:
    entity_type: str = ""
    entity_id: str = ""
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


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
        stmt = stmt.where(AuditEvent.created_at >= day_start(f.date_from, tz))
    if f.date_to:
        stmt = stmt.where(AuditEvent.created_at < day_end(f.date_to, tz))
    stmt = stmt.order_by(AuditEvent.id.desc()).options(joinedload(AuditEvent.actor))
    return paginate(stmt, page, size)


def list_entity_types(viewer: User) -> list[str]:
    stmt = select(AuditEvent.entity_type).where(AuditEvent.agency_id == viewer.agency_id).distinct()
    return sorted(db.session.scalars(stmt))


def list_actors(viewer: User) -> list[User]:
    return list(db.session.scalars(select(User).where(User.agency_id == viewer.agency_id).order_by(User.full_name)))
