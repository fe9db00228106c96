"""Bearer tokens for the JSON API: a login's rotating access/refresh pair, and personal access tokens.

A login (``issue_login_pair``) opens a *family*; each refresh marks the refresh token used and issues the next
pair in the same family, so presenting a used refresh token again (a stolen copy, or a replay) revokes the whole
family. Tokens are random strings with a prefix naming their kind (secret scanners recognise them); only their
``crypto.token_digest`` is stored.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.auth import lockout
from app.auth.events import announce
from app.auth.models import User
from app.auth.tokens import ApiToken, Scope, TokenKind
from app.crypto import token_digest
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

ACCESS_LIFETIME = timedelta(minutes=15)
REFRESH_LIFETIME = timedelta(days=7)
PREFIX = {TokenKind.ACCESS: "dfa_", TokenKind.REFRESH: "dfr_", TokenKind.PERSONAL: "dfp_"}
ALL_SCOPES = " ".join(s.value for s in Scope)
# last_used_at of a personal token is written at most this often (a write per request would cost more).
TOUCH_EVERY = timedelta(minutes=1)


class InvalidToken(DomainError):
    status, code = 401, "invalid_token"

    def __init__(self, message: str = "The token is invalid or expired."):
        super().__init__(message)


@dataclass
class TokenPair:
    access: str
    refresh: str


def _new_token(user: User, kind: TokenKind, family: str, lifetime: timedelta | None, **fields) -> str:
    raw = PREFIX[kind] + secrets.token_urlsafe(32)
    expires = utcnow() + lifetime if lifetime else fields.pop("expires_at", None)
    row = ApiToken(agency_id=user.agency_id, user_id=user.id, kind=kind, digest=token_digest(raw), family=family)
    row.expires_at, row.scopes = expires, fields.pop("scopes", ALL_SCOPES)
    row.name = fields.pop("name", "")
    db.session.add(row)
    return raw


def _pair(user: User, family: str) -> TokenPair:
    access = _new_token(user, TokenKind.ACCESS, family, ACCESS_LIFETIME)
    return TokenPair(access, _new_token(user, TokenKind.REFRESH, family, REFRESH_LIFETIME))


def issue_login_pair(user: User) -> TokenPair:
    """A new family for ``user`` (already authenticated, second factor included); audited as an API login."""
    pair = _pair(user, secrets.token_hex(16))
    lockout.clear_failures(user)
    announce("auth.api_login", user, actor=user)
    db.session.commit()
    return pair


def _find(raw: str) -> ApiToken | None:
    return db.session.scalars(select(ApiToken).where(ApiToken.digest == token_digest(raw or ""))).first()


def rotate_refresh(raw: str) -> TokenPair:
    """The next pair for a live, unused refresh token. A used one revokes its family (then InvalidToken)."""
    token, now = _find(raw), utcnow()
    if token is None or token.kind != TokenKind.REFRESH or not token.live(now) or not token.user.active:
        raise InvalidToken()
    if token.used_at is not None:
        revoke_family(token.family)
        db.session.commit()
        raise InvalidToken("This refresh token was already used; the login's tokens are revoked.")
    token.used_at = now
    pair = _pair(token.user, token.family)
    db.session.commit()
    return pair


def revoke_family(family: str) -> None:
    """Revoke every token of a login (or the one personal token of that family); no commit."""
    stmt = update(ApiToken).where(ApiToken.family == family, ApiToken.revoked_at.is_(None))
    db.session.execute(stmt.values(revoked_at=utcnow()))


def logout(token: ApiToken) -> None:
    """End the login (or personal token) the request was authenticated by."""
    revoke_family(token.family)
    announce("auth.api_logout", token.user, actor=token.user)
    db.session.commit()


def revoke_user_tokens(user: User) -> None:
    """Revoke every token of ``user`` (password change or reset, deactivation, MFA reset); no commit."""
    stmt = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    db.session.execute(stmt.values(revoked_at=utcnow()))


def authenticate_bearer(raw: str) -> ApiToken:
    """The live access or personal token ``raw`` of an active user; InvalidToken otherwise."""
    token, now = _find(raw), utcnow()
    if token is None or token.kind == TokenKind.REFRESH or not token.live(now) or not token.user.active:
        raise InvalidToken()
    if token.kind == TokenKind.PERSONAL and (token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY):
        token.last_used_at = now
        db.session.commit()
    return token


def create_personal_token(
    name: str, scopes: list[str], expires_at: datetime | None, *, actor: User
) -> tuple[ApiToken, str]:
    """A personal access token of ``actor`` and its text, which is shown once; audited.

    Raises ValidationFailed for an empty name, no scope or an unknown one, or an expiry in the past.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Name the token.", {"name": "Name the token."})
    chosen = [s for s in Scope if s.value in scopes]
    if not chosen or len(chosen) != len(set(scopes)):
        raise ValidationFailed("Choose the token's scopes.", {"scopes": "Choose one or more scopes."})
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed("The expiry must be in the future.", {"expires_at": "Must be in the future."})
    raw = _new_token(
        actor,
        TokenKind.PERSONAL,
        secrets.token_hex(16),
        None,
        expires_at=expires_at,
        scopes=" ".join(s.value for s in chosen),
        name=name[:100],
    )
    announce("auth.api_token_created", actor, actor=actor, changes={"name": name, "scopes": [s.value for s in chosen]})
    db.session.commit()
    return _find(raw), raw


def list_personal_tokens(user: User) -> list[ApiToken]:
    """The user's personal tokens that are not revoked, newest first (expired ones too: they show as such)."""
    stmt = select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.kind == TokenKind.PERSONAL, ApiToken.revoked_at.is_(None)
    )
    return list(db.session.scalars(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_personal_token(token_id: int, *, actor: User) -> None:
    """Revoke one of the actor's own personal tokens; NotFound for any other id."""
    token = next((t for t in list_personal_tokens(actor) if t.id == token_id), None)
    if token is None:
        raise NotFound("Token not found.")
    token.revoked_at = utcnow()
    announce("auth.api_token_revoked", actor, actor=actor, changes={"name": token.name})
    db.session.commit()
