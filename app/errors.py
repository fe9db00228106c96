"""Domain errors and the one place that maps them (and HTTP errors) to responses."""

import logging

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.extensions import db, htmx

log = logging.getLogger(__name__)


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


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """Answer in the shape the client expects: JSON for the API, a fragment for htmx, else a page."""
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=message, fields=fields or {}), status
    if htmx:
        body = render_template("errors/_error.html", status=status, message=message)
        return body, status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def handle_domain_error(exc: DomainError):
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def handle_http_error(exc: HTTPException):
    message = exc.description if exc.code not in (404, 500) else {404: "Not found.", 500: "Server error."}[exc.code]
    return error_response(exc.code or 500, exc.name.lower().replace(" ", "_"), message)


def handle_unexpected(exc: Exception):
    db.session.rollback()
    log.exception("unhandled error request_id=%s", g.get("request_id"))
    message = f"Something went wrong on our side (reference {g.get('request_id', '-')})."
    return error_response(500, "server_error", message)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
