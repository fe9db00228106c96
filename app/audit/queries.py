"""Reading the audit trail of the viewer's agency."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import joinedload

from app.agencyday import day_end, day_start
from app.audit.models import AuditEvent
from app.audit.readable import entities_of_ref
from app.auth.models import User
from app.extensions import db
from app.paging import Page, Total, count_total, paginate


@dataclass
class AuditFilters:
    entity_type: str = ""
    entity_id: str = ""
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    account_ref: str = ""  # the events of the account with this reference and of what belongs to it
    direction: str = "desc"  # by time (the chain's order)


def list_events(viewer: User, f: AuditFilters, page: int = 1, size: int = 50) -> Page:
    """The audit events of the viewer's agency that pass ``f``, newest (or oldest) first; dates are days in the
    agency's timezone."""
    stmt = filtered_events(viewer, f).order_by(AuditEvent.id.asc() if f.direction == "asc" else AuditEvent.id.desc())
    return paginate(stmt.options(joinedload(AuditEvent.actor)), page, size)


def count_events(viewer: User, f: AuditFilters) -> Total:
    return count_total(filtered_events(viewer, f).with_only_columns(AuditEvent.id))


def filtered_events(viewer: User, f: AuditFilters) -> Select:
    """The agency's events narrowed by ``f`` (unordered)."""
    tz = viewer.agency.timezone
    stmt = select(AuditEvent).where(AuditEvent.agency_id == viewer.agency_id)
    if f.account_ref:
        stmt = stmt.where(_of_entities(entities_of_ref(viewer.agency_id, f.account_ref)))
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
    return stmt


def _of_entities(pairs: list[tuple[str, str]]):
    """Events about any of the (entity type, id) pairs; none when there are none."""
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_id in pairs:
        by_type.setdefault(entity_type, []).append(entity_id)
    terms = [and_(AuditEvent.entity_type == t, AuditEvent.entity_id.in_(ids)) for t, ids in by_type.items()]
    return or_(*terms) if terms else false()


def list_entity_types(viewer: User) -> list[str]:
    stmt = select(AuditEvent.entity_type).where(AuditEvent.agency_id == viewer.agency_id).distinct()
    return sorted(db.session.scalars(stmt))


def list_actors(viewer: User) -> list[User]:
    return list(db.session.scalars(select(User).where(User.agency_id == viewer.agency_id).order_by(User.full_name)))
