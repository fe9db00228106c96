"""The audit log as CSV rows, as readable as the page (names, references, fields in words), read in batches
(a server-side cursor on PostgreSQL), times in the agency's timezone."""

from collections.abc import Iterator

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.queries import AuditFilters, filtered_events
from app.audit.readable import ReadableEvent, readable
from app.auth.models import User
from app.csvexport import stamp
from app.extensions import db

BATCH = 1000  # events read, and named, at a time
HEADER = ["When", "Actor", "Action", "Entity", "Changes", "IP", "Request"]


def export_events(viewer: User, filters: AuditFilters) -> Iterator[list]:
    """The CSV rows (without the header) of the agency's events that pass ``filters``, in the log's order."""
    order = AuditEvent.id.asc() if filters.direction == "asc" else AuditEvent.id.desc()
    stmt = filtered_events(viewer, filters).order_by(order).execution_options(yield_per=BATCH)
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.agency_id == viewer.agency_id)).all())
    tz = viewer.agency.timezone
    with db.session.execute(stmt) as result:
        for batch in result.scalars().partitions():
            for item in readable(batch, viewer.agency_id):
                yield _cells(item, names, tz)


def _cells(item: ReadableEvent, names: dict[int, str], tz: str) -> list:
    e = item.event
    return [
        stamp(e.created_at, tz, "%Y-%m-%d %H:%M:%S"),
        names.get(e.actor_id, "System") if e.actor_id else "System",
        item.action,
        item.entity,
        "; ".join(f"{word}: {text}" for word, text in item.changes),
        e.ip or "",
        e.request_id or "",
    ]
