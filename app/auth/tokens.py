"""API credentials: bearer tokens (a login's access and refresh tokens, and personal access tokens) and the
responses kept for ``Idempotency-Key`` retries. Every token is stored as its ``crypto.token_digest`` only."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class TokenKind(enum.StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"
    PERSONAL = "personal"


class Scope(enum.StrEnum):
    """What a personal access token may do; a login's tokens hold every scope (the role still decides)."""

    READ = "read"
    WRITE = "write"
    IMPORTS = "imports"
    PAYMENTS = "payments"


class ApiToken(db.Model):
    """One bearer token. A login's access and refresh tokens share a ``family`` (the login); rotating a refresh
    token marks it ``used_at`` and issues the next pair in the family, and presenting a used one revokes it all."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_live", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    scopes: Mapped[str] = mapped_column(String(100))  # space-separated Scope values
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a refresh token's rotation
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotentResponse(db.Model):
    """The first response to a POST sent with an ``Idempotency-Key``, replayed to retries for a day."""

    __tablename__ = "idempotent_responses"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))  # the credential's family (a login, or a personal token)
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
