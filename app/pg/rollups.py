"""The analytics rollups PostgreSQL keeps (trigger-kept tables; their SQL is in ``sql/*_rollups.sql``)."""

from sqlalchemy import text

from app.extensions import db

REBUILDS = ("payment_days_rebuild", "collector_rollups_rebuild")


def rebuild(agency_id: int) -> None:
    """Re-derive the agency's day-keyed rollups from its payments and activities. No commit: the caller's.

    The account rollups have no day in their keys, so a change of timezone leaves them as they are.
    """
    for function in REBUILDS:
        db.session.execute(text(f"SELECT {function}(:agency_id)"), {"agency_id": agency_id})
