"""Maintenance of the analytics rollups (PostgreSQL). Triggers keep them exact; this re-derives the day split."""

from sqlalchemy import text

from app.extensions import db

REBUILD_PAYMENT_DAYS = text("""
DELETE FROM payment_days WHERE agency_id = :agency_id;
INSERT INTO payment_days (agency_id, day, net, payments)
SELECT p.agency_id, (p.completed_at AT TIME ZONE a.timezone)::date, sum(p.amount - p.refunded_amount), count(*)
FROM payments p JOIN agencies a ON a.id = p.agency_id
WHERE p.agency_id = :agency_id AND p.status IN ('completed', 'partially_refunded', 'refunded')
  AND p.completed_at IS NOT NULL
GROUP BY 1, 2
""")


def uses_rollups() -> bool:
    """PostgreSQL keeps the rollups (triggers); SQLite, the small embedded default, aggregates live."""
    return db.session.get_bind().dialect.name == "postgresql"


def rebuild_local_days(agency_id: int) -> None:
    """Re-split the agency's rollups into local days (after a timezone change). No commit: the caller's.

    The collector rollups are rebuilt by ``collector_rollups_rebuild`` (migration 0006), the function that
    also backfilled them.
    """
    if uses_rollups():
        for statement in str(REBUILD_PAYMENT_DAYS).split(";"):
            db.session.execute(text(statement), {"agency_id": agency_id})
        db.session.execute(text("SELECT collector_rollups_rebuild(:agency_id)"), {"agency_id": agency_id})
