"""Maintenance of the analytics rollups: PostgreSQL keeps them with triggers (``app.pg``); SQLite aggregates live."""

from app import pg
from app.pg import rollups


def uses_rollups() -> bool:
    """PostgreSQL keeps the rollups (triggers); SQLite, the small embedded default, aggregates live."""
    return pg.active()


def rebuild_local_days(agency_id: int) -> None:
    """Re-split the agency's rollups into local days (after a timezone change). No commit: the caller's."""
    if uses_rollups():
        rollups.rebuild(agency_id)
