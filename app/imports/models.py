"""Import sources (where files come from), import jobs (one per file) and the rejected rows of a job."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import crypto
from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow
from app.words import words


class SourceKind(enum.StrEnum):
    SFTP = "sftp"
    LOCAL = "local"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    FAILED = "failed"
    DUPLICATE = "duplicate"

    @property
    def active(self) -> bool:
        """Still going: the job page keeps polling."""
        return self in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def label(self) -> str:
        return words(self.value)


class ImportSource(db.Model):
    """An SFTP server (or, for the embedded demo, a local folder) the agency's creditors drop files on."""

    __tablename__ = "import_sources"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind), default=SourceKind.SFTP)
    host: Mapped[str] = mapped_column(String(255), default="")
    port: Mapped[int] = mapped_column(Integer, default=22)
    username: Mapped[str] = mapped_column(String(100), default="")
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    private_key_encrypted: Mapped[str | None] = mapped_column(Text)
    # The server's public key as "<type> <base64>" (known_hosts style); any other key is refused.
    host_key: Mapped[str] = mapped_column(Text, default="")
    remote_dir: Mapped[str] = mapped_column(String(500), default="/upload")
    processed_dir: Mapped[str] = mapped_column(String(500), default="/upload/processed")
    pattern: Mapped[str] = mapped_column(String(100), default="*.csv")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    poll_interval_minutes: Mapped[int] = mapped_column(Integer, default=15)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_poll_result: Mapped[str] = mapped_column(Text, default="")
    # Held by the poll in progress, so two overlapping polls cannot both take a file.
    poll_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    password = crypto.EncryptedField("password_encrypted")
    private_key = crypto.EncryptedField("private_key_encrypted")

    def has_credential(self) -> bool:
        return ImportSource.password.is_set(self) or ImportSource.private_key.is_set(self)


class ImportJob(db.Model):
    """The processing of one file: where it came from, its hash, its progress and its outcome."""

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_agency_created", "agency_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("import_sources.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    stored_path: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[JobStatus] = mapped_column(
        Enum(
            JobStatus,
            native_enum=False,
            length=24,
            validate_strings=True,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=JobStatus.QUEUED,
    )
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id"))
    trigger: Mapped[str] = mapped_column(String(200), default="")
    triggered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    total_lines: Mapped[int] = mapped_column(Integer, default=0)
    lines_done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    unknown_columns: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The RQ job last enqueued to run it; None while it could not be enqueued (Redis down): the sweep
    # (app.imports.services.recovery) looks here to tell a job waiting in RQ from one nobody will run.
    rq_job_id: Mapped[str | None] = mapped_column(String(64))
    history: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    source: Mapped[ImportSource | None] = relationship()
    triggered_by: Mapped[User | None] = relationship()

    @property
    def percent(self) -> int:
        """Share of the file's physical lines processed so far."""
        if self.status in (JobStatus.COMPLETED, JobStatus.COMPLETED_WITH_ERRORS):
            return 100
        return min(100, int(100 * self.lines_done / self.total_lines)) if self.total_lines else 0

    def note(self, text: str) -> None:
        """Append a line to the job's history (what happened, attempt by attempt)."""
        self.history = [*self.history, {"at": utcnow().isoformat(timespec="seconds"), "text": text}]


class ImportRowError(db.Model):
    """One rejected row: its physical line number, the column and the rule it broke."""

    __tablename__ = "import_row_errors"
    __table_args__ = (Index("ix_import_row_errors_job_line", "job_id", "line_no", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text)
    external_ref: Mapped[str] = mapped_column(String(100), default="")


class ImportBatch(db.Model):
    """A committed batch of a job's lines: the checkpoint a resumed run skips.

    Batches are applied by parallel writers and may commit out of order, so progress is a set of line ranges
    rather than one line number (``ImportJob.lines_done`` is only the furthest line, for the progress bar).
    """

    __tablename__ = "import_batches"

    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    first_line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_line: Mapped[int] = mapped_column(Integer)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
