"""A bulk operation on a selection of accounts: what was asked, its progress, and its outcome."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class OperationStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        """Still going: the operation's page keeps refreshing."""
        return self in (OperationStatus.QUEUED, OperationStatus.RUNNING)


class BulkOperation(db.Model):
    """One bulk action (assign, distribute, priority, status...) over a selection, processed in id order.

    ``selection`` is ``{"ids": [...]}`` or ``{"query": "<the list's filter query string>"}``; ``last_account_id``
    is the cursor of the committed batches, so a retried job resumes after them.
    """

    __tablename__ = "bulk_operations"
    __table_args__ = (Index("ix_bulk_operations_agency_created", "agency_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    selection: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[OperationStatus] = mapped_column(str_enum(OperationStatus), default=OperationStatus.QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    last_account_id: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    rq_job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        if self.status == OperationStatus.DONE:
            return 100
        return min(100, int(100 * self.processed / self.total)) if self.total else 0
