"""Users, their roles and their server-side sessions."""

import enum
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import crypto
from app.agencies.models import Agency
from app.auth import passwords
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    COLLECTOR = "collector"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when an admin chose the password (a new user, a reset): the user must replace it before anything else.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The TOTP secret, encrypted; written at enrolment, in use once ``mfa_enabled_at`` is set.
    mfa_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step whose code was accepted: a code of that step or an older one is a replay.
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)

    agency: Mapped[Agency] = relationship()
    # Set by the user loader to the session row this request is authenticated by.
    current_session_token = None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        return self.current_session_token

    def set_password(self, password: str) -> None:
        """Hash with argon2id (the policy is checked by the services that accept a new password)."""
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify_password(self.password_hash, password)

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    mfa_secret = crypto.EncryptedField("mfa_secret_encrypted")  # bound to the user's row, like every secret

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RecoveryCode(db.Model):
    """One of a user's one-time MFA recovery codes, stored as a hash; spent when ``used_at`` is set."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(db.Model):
    """One login. Logout revokes it; a password change revokes all of the user's sessions; idleness and age
    end it too (``expired``)."""

    __tablename__ = "user_sessions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(255), default="", server_default="")

    user: Mapped[User] = relationship()

    @property
    def ref(self) -> str:
        """A name for this session that pages and forms may show: the token itself is the credential."""
        return crypto.token_digest(self.token)[:16]

    def expired(self, now: datetime, idle: timedelta, lifetime: timedelta) -> bool:
        return now - self.last_seen_at > idle or now - self.created_at > lifetime


class LoginLockout(db.Model):
    """A user's failed sign-ins in the current window and the lock they led to (``auth.lockout``). A row of its
    own, not columns on ``users``: written only on failure, deleted by a complete sign-in."""

    __tablename__ = "login_lockouts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SecurityEvent(db.Model):
    """The platform's security log: failed sign-ins that name no known user, so belong to no agency's audit
    trail. Operators read it; agency admins never see it."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(60))
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class RateLimitCounter(db.Model):
    """A fixed-window hit counter: where the rate limits count while Redis is unreachable (auth.ratelimit)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
