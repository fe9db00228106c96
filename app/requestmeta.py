"""Per-request metadata (request id, client IP) that the audit trail records.

The client IP comes from ``request.remote_addr``; ``X-Forwarded-For`` is honoured only through
werkzeug's ProxyFix when ``TRUSTED_PROXY_COUNT`` is configured, so a client cannot spoof it. The same goes for
``X-Request-ID``: taken from the request only behind a trusted proxy (``TRUST_REQUEST_ID``, on by default when
``TRUSTED_PROXY_COUNT`` is set), so the proxy's id ties its logs to ours; otherwise a fresh one is made.
"""

import re
import uuid

from flask import Flask, current_app, g, has_request_context, request

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "") if current_app.config.get("TRUST_REQUEST_ID") else ""
    g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex


def add_response_headers(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers.add("Vary", "HX-Request")
    return response


def current_meta() -> tuple[str | None, str | None]:
    """(client IP, request id) of the current request, or (None, None) outside one."""
    if not has_request_context():
        return None, None
    return request.remote_addr, g.get("request_id")


def current_user_agent() -> str:
    """The client's User-Agent, cut to what a session row keeps ("" outside a request)."""
    return request.user_agent.string[:255] if has_request_context() else ""


def init_app(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.after_request(add_response_headers)
