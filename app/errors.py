"""Domain errors and the one place that maps them (and HTTP errors) to responses."""

import logging

import psycopg
from flask import Flask, g, jsonify, make_response, render_template, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, htmx, login_manager

log = logging.getLogger(__name__)

# The database is unreachable or refused the connection (PostgreSQL down, SQLite file unusable, pool exhausted):
# the request may well succeed in a moment, so these answer 503 rather than 500.
DATABASE_DOWN = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, psycopg.OperationalError)
DATABASE_DOWN_MESSAGE = "DebtFlow is briefly unavailable: its database cannot be reached. Please try again shortly."


class DomainError(Exception):
    """A refusal the user can act on; ``fields`` maps form fields to messages."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    status, code = 404, "not_found"

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class PermissionDenied(DomainError):
    status, code = 403, "forbidden"

    def __init__(self, message: str = "You do not have access to this page."):
        super().__init__(message)


class ValidationFailed(DomainError):
    status, code = 422, "validation_failed"


class Conflict(DomainError):
    status, code = 409, "conflict"


def api_error_body(message: str, fields: dict | None = None) -> dict:
    """The API's one error shape: ``{"detail": ..., "errors": {"field": ["message", ...]}}``."""
    errors = {name: value if isinstance(value, list) else [value] for name, value in (fields or {}).items()}
    return {"detail": message, "errors": errors}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """Answer in the shape the client expects: JSON for the API, a fragment for htmx, else a page."""
    if request.path.startswith("/api/"):
        return jsonify(api_error_body(message, fields)), status
    if htmx:
        body = render_template("errors/_error.html", status=status, message=message)
        return body, status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    template = f"errors/{status}.html" if status in (403, 404, 500, 503) else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def handle_domain_error(exc: DomainError):
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def handle_http_error(exc: HTTPException):
    if isinstance(exc, InternalServerError) and isinstance(exc.original_exception, DATABASE_DOWN):
        return handle_database_down(exc.original_exception)  # raised after the view, e.g. in an after_request
    message = exc.description if exc.code not in (404, 500) else {404: "Not found.", 500: "Server error."}[exc.code]
    fields = request_field_errors(exc)
    if fields:
        message = "The request is not valid."
    response = make_response(error_response(exc.code or 500, exc.name.lower().replace(" ", "_"), message, fields))
    response.headers.extend(getattr(exc, "data", {}).get("headers") or {})
    for name, value in exc.get_headers():  # e.g. a 405's Allow, a 401's WWW-Authenticate
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def request_field_errors(exc: HTTPException) -> dict:
    """The field errors webargs attached to a 422 (keyed by location: ``{"json": {"amount": [...]}}``),
    flattened to ``{"amount": [...]}``; nested errors keep their dotted path."""
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    flat: dict = {}
    for located in messages.values():
        _flatten(located, "", flat)
    return flat


def _flatten(value, prefix: str, into: dict) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _flatten(inner, f"{prefix}{name}." if not isinstance(inner, list) else f"{prefix}{name}", into)
    else:
        into[prefix.rstrip(".") or "_schema"] = [str(m) for m in value] if isinstance(value, list) else [str(value)]


def handle_unexpected(exc: Exception):
    db.session.rollback()
    log.exception("unhandled error request_id=%s", g.get("request_id"))
    message = f"Something went wrong on our side (reference {g.get('request_id', '-')})."
    return error_response(500, "server_error", message)


def handle_database_down(exc: Exception):
    """503 with our own page; nothing on the way may touch the database again, or the error page fails too."""
    try:
        db.session.rollback()
    except DATABASE_DOWN:
        pass  # the connection is gone; the pool discards it and the next request opens a fresh one
    # The page's layout reads the signed-in user (name, agency): render it as for a visitor instead of loading them.
    login_manager._update_request_context_with_user()
    log.warning("database unavailable request_id=%s: %s", g.get("request_id"), exc.__class__.__name__)
    response = make_response(error_response(503, "service_unavailable", DATABASE_DOWN_MESSAGE))
    response.headers["Retry-After"] = "30"
    return response


def register_error_handlers(app: Flask) -> None:
    for error in DATABASE_DOWN:
        app.register_error_handler(error, handle_database_down)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
