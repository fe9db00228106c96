"""Rate limits of the API: per credential (a token's login, a personal token, a session) and per client
address, both configurable (``API_TOKEN_LIMIT``, ``API_IP_LIMIT``, Flask-Limiter's notation). A refusal is a
429 with ``Retry-After``; every API response carries ``RateLimit-Limit``, ``-Remaining`` and ``-Reset``."""

import time

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.api.security import credential_owner
from app.extensions import limiter


def _credential_key() -> str:
    return credential_owner() if current_user.is_authenticated else f"anonymous:{get_remote_address()}"


def apply(bp) -> None:
    """Both limits on every view of ``bp`` (once, when its module is imported: the limiter is shared by every
    app, so applying them per app would count each request once per app)."""
    limiter.limit(lambda: current_app.config["API_TOKEN_LIMIT"], key_func=_credential_key, scope="api-credential")(bp)
    limiter.limit(lambda: current_app.config["API_IP_LIMIT"], scope="api-address")(bp)


def add_headers(response):
    """The tightest limit of this request, as the IETF draft's RateLimit-* fields (reset in seconds)."""
    current = limiter.current_limit if request.path.startswith("/api/") else None
    if current is None:
        return response
    reset = max(int(current.reset_at - time.time()), 0)
    response.headers["RateLimit-Limit"] = str(current.limit.amount)
    response.headers["RateLimit-Remaining"] = str(current.remaining)
    response.headers["RateLimit-Reset"] = str(reset)
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(reset, 1))
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
