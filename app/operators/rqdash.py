"""rq-dashboard (queues, workers, failed jobs, requeue) mounted at ``/ops/rq/`` for operators only.

Its pages carry inline scripts and styles, so they get a policy of their own that allows them; every other page
keeps the nonce-based policy. Its buttons post by XHR without our CSRF token, so instead of the token a request
that changes something must come from our own origin (the browser's ``Origin`` header), and the one action it
offers by GET (requeue all) is refused that way.
"""

from urllib.parse import urlsplit

from flask import Flask, abort, g, request

from app.extensions import csrf

RQ_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _own_pages_policy_and_origin():
    g.csp_policy = RQ_POLICY
    if request.method == "GET" and request.endpoint == "rq_dashboard.requeue_all":
        abort(405)
    if request.method != "GET" and urlsplit(request.headers.get("Origin", "")).netloc != request.host:
        abort(403)


def init_app(app: Flask) -> None:
    """Mount it where this deployment has a Redis (the embedded mode's jobs never reach one)."""
    import rq_dashboard
    from rq_dashboard.web import setup_rq_connection

    url = app.config.get("REDIS_URL")
    if not url:
        return
    app.config.update(RQ_DASHBOARD_REDIS_URL=url, RQ_DASHBOARD_POLL_INTERVAL=5000)
    setup_rq_connection(app)
    if _own_pages_policy_and_origin not in rq_dashboard.blueprint.before_request_funcs.get(None, []):
        rq_dashboard.blueprint.before_request(_own_pages_policy_and_origin)
        csrf.exempt(rq_dashboard.blueprint)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/ops/rq")
