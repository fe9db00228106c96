"""Security headers on every response: a nonce-based Content-Security-Policy, HSTS, no-store, framing rules.

Templates put ``nonce="{{ csp_nonce() }}"`` on every ``<script>`` and stylesheet; the policy allows only our own
origin plus that per-request nonce, so an injected inline script or style never runs. A view that needs another
origin (the pay page and Stripe.js) adds it for its own response with :func:`csp_sources`, never globally.
"""

import secrets
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, g, request

# Directive -> sources; "{nonce}" is replaced by the request's nonce.
BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'", "'nonce-{nonce}'"),
    "style-src": ("'self'", "'nonce-{nonce}'"),
    "img-src": ("'self'",),
    "connect-src": ("'self'",),
    "frame-src": ("'none'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce, made on first use (so error pages rendered before any view get one too)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def csp_sources(extra: Callable[[], dict[str, list[str]]]):
    """Decorate a view whose page needs more origins; ``extra()`` is read at request time (it may use config)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.csp_extra = extra()
            return view(*args, **kwargs)

        return wrapper

    return decorate


def content_security_policy() -> str:
    """The policy for this response: the base one plus the view's additions, which replace a ``'none'``; or a
    whole policy of its own (``g.csp_policy``: rq-dashboard's pages, app.operators.rqdash)."""
    if "csp_policy" in g:
        return g.csp_policy
    extra = g.get("csp_extra", {})
    parts = []
    for directive, sources in BASE_POLICY.items():
        added = list(extra.get(directive, ()))
        kept = [s for s in sources if not (added and s == "'none'")]
        values = [s.format(nonce=csp_nonce()) for s in kept] + added
        parts.append(f"{directive} {' '.join(values)}")
    return "; ".join(parts)


def add_security_headers(response):
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        # Pages carry debtors' data and CSRF tokens: no browser or proxy may keep a copy.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(csp_nonce=csp_nonce)
    app.after_request(add_security_headers)
