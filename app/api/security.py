"""Who calls the API: ``Authorization: Bearer <token>`` (a login's access token or a personal access token),
or the browser's session (which then needs its CSRF token, as every form does)."""

from flask import current_app, g, request
from flask_login import current_user

from app.auth.apitokens import InvalidToken, authenticate_bearer
from app.auth.tokens import ApiToken, Scope, TokenKind
from app.crypto import token_digest
from app.errors import DomainError, PermissionDenied
from app.extensions import csrf, login_manager

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(DomainError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str = "Authentication required."):
        super().__init__(message)


def bearer_text() -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def load_bearer_user() -> None:
    """First of all ``before_request`` hooks: a request to /api/ with a bearer token is that token's user and
    nobody else (a session cookie sent along is ignored). A bad token leaves the request anonymous."""
    raw = bearer_text() if request.path.startswith("/api/") else None
    if raw is None:
        return
    try:
        token = authenticate_bearer(raw)
    except InvalidToken as exc:
        g.api_auth_error = exc.message
        login_manager._update_request_context_with_user(None)
        return
    g.api_token = token
    login_manager._update_request_context_with_user(token.user)


def current_token() -> ApiToken | None:
    return g.get("api_token")


def credential_owner() -> str:
    """Whose retries share Idempotency-Keys and rate limits: the token's family (a login, or one personal
    token), or the browser session."""
    token = current_token()
    if token is not None:
        return f"token:{token.family}"
    return f"session:{token_digest(current_user.get_id() or '')[:32]}"  # never the session token itself


def require_user(write_scope: Scope | None = None) -> None:
    """Guard of every API blueprint: an authenticated caller (401 otherwise), CSRF for session callers, and
    for a personal token the scope the request needs (``read`` to read, ``write_scope`` to change)."""
    if not current_user.is_authenticated:
        raise NotAuthenticated(g.get("api_auth_error", "Authentication required."))
    token = current_token()
    if token is None:
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        return
    needed = Scope.READ if request.method in READ_METHODS else write_scope
    if token.kind == TokenKind.PERSONAL and needed is not None and needed.value not in token.scope_set:
        raise PermissionDenied(f"This token lacks the '{needed.value}' scope.")


def require_admin() -> None:
    if not current_user.is_admin:
        raise PermissionDenied("Only an agency admin may do this.")


def guard(bp, write_scope: Scope | None = None, *, admin_only: bool = False) -> None:
    """Put ``require_user`` (and for ``admin_only``, an admin check) in front of every view of ``bp``; the
    blueprint is exempt from the app-wide CSRF check, which ``require_user`` makes for session callers."""
    csrf.exempt(bp)
    bp.before_request(lambda: require_user(write_scope))
    if admin_only:
        bp.before_request(require_admin)
