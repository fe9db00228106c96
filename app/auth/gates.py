"""What a signed-in user must do before anything else (replace a temporary password, enrol in MFA), and the
request hook that holds them to it: every other page sends them there, signing out excepted."""

import enum

from flask import Flask, Response, redirect, request, url_for
from flask_login import current_user

from app.auth.models import User
from app.errors import api_error_body
from app.extensions import htmx


class Step(enum.Enum):
    """A step owed before the app opens, with the endpoint of the page where it is done."""

    CHANGE_PASSWORD = "auth.password"  # noqa: S105  (an endpoint name)
    ENROL_MFA = "mfa.setup"


# Signing out, or in again (as someone else), is always possible.
ALWAYS_OPEN = frozenset({"auth.login", "auth.logout", "static"})


def pending_step(user: User) -> Step | None:
    """The first step ``user`` still owes: a temporary password first, then MFA if their agency requires it."""
    if user.password_must_change:
        return Step.CHANGE_PASSWORD
    if user.agency.mfa_required and not user.mfa_enabled:
        return Step.ENROL_MFA
    return None


def landing_url(user: User, wanted: str | None, home: str) -> str:
    """Where a freshly signed-in user goes: the page of a step they owe, else ``wanted`` (checked), else ``home``."""
    step = pending_step(user)
    return url_for(step.value) if step else wanted or home


def hold_to_pending_step() -> Response | None:
    """Before each request: send a signed-in user who owes a step to its page (JSON 403 for the API)."""
    if not current_user.is_authenticated or request.endpoint in ALWAYS_OPEN:
        return None
    step = pending_step(current_user)
    if step is None or request.endpoint == step.value:
        return None
    target = url_for(step.value)
    if request.path.startswith("/api/"):
        message = "Finish signing in (password change or MFA enrolment) first."
        return api_error_body(message), 403
    if htmx:
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, 303)


def init_app(app: Flask) -> None:
    app.before_request(hold_to_pending_step)
