"""Who reaches what: an operator's session opens ``/ops/`` and nothing of an agency; an agency user's never opens
``/ops/``.

An operator is signed in by ``session["operator_id"]`` (Flask's signed session, cleared at sign-in, idle-limited
like users' sessions), never through Flask-Login, so no agency view ever sees an operator as its ``current_user``.
Any page other than the operator's own, the probes and static files answers an operator 404, as a record that
is not yours does; an agency user asking for an operator page gets 403.
"""

import time

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user

from app.operators import services

OPERATOR_BLUEPRINTS = frozenset({"operators", "rq_dashboard"})
OPEN_TO_ALL = frozenset({"static", "ops.health", "ops.ready", "ops.metrics", "setup.setup"})
PUBLIC_OPERATOR_PAGES = frozenset({"operators.login"})


def sign_in(operator_id: int) -> None:
    session.clear()
    session["operator_id"], session["operator_seen"] = operator_id, time.time()


def sign_out() -> None:
    session.clear()


def current_operator():
    """The signed-in operator of this request (loaded once), or None."""
    if "operator" not in g:
        g.operator = _session_operator()
    return g.operator


def _session_operator():
    operator_id, seen = session.get("operator_id"), session.get("operator_seen", 0)
    if operator_id is None:
        return None
    if time.time() - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        session.clear()
        return None
    session["operator_seen"] = time.time()
    return services.active_operator(operator_id)


def guard():
    """Before every request: keep operators and agency users on their own sides."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_TO_ALL:
        return None
    on_operator_side = request.blueprint in OPERATOR_BLUEPRINTS
    if current_operator() is not None:
        return None if on_operator_side else abort(404)
    if not on_operator_side or endpoint in PUBLIC_OPERATOR_PAGES:
        return None
    if current_user.is_authenticated:
        abort(403)
    return redirect(url_for("operators.login", next=request.path))


def init_app(app: Flask) -> None:
    app.before_request(guard)
