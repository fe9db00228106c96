"""The audit trail: append-only events, hash-chained per agency."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """One state change. On PostgreSQL a trigger refuses UPDATE and DELETE on this table."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_agency_id_desc", "agency_id", "id"),
        Index("ix_audit_events_agency_entity", "agency_id", "entity_type", "entity_id"),
        Index("ix_audit_events_agency_actor", "agency_id", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()


class AuditChainHead(db.Model):
    """The newest event of an agency's chain. Appends lock this row, so concurrent writers queue up."""

    __tablename__ = "audit_chain_heads"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    last_event_id: Mapped[int | None] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class AuditLegacyBoundary(db.Model):
    """Where an agency's chain became keyed: its events up to ``last_legacy_event_id`` were written before the
    audit key existed and may carry a plain SHA-256. Written once, by migration 0017, for the chains that existed
    then; a chain without a row is keyed from its first event. ``mark`` is the audit key's MAC of the boundary, so
    the database's owner can neither add nor move one to pass rewritten events off as legacy ones (removing one
    only makes the legacy events fail to verify)."""

    __tablename__ = "audit_legacy_boundaries"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    last_legacy_event_id: Mapped[int] = mapped_column(Integer)
    mark: Mapped[str] = mapped_column(String(64))
