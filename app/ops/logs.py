"""Structured logs: one JSON object per line on stdout, with the request's or job's context on every line.

Each request ends with one ``request`` line (method, route, status, duration): the route is the URL rule
(``/pay/<token>``), never the path, so tokens in URLs stay out; bodies, headers and query strings are never
logged. As a second wall, whatever a line holds is scrubbed of what looks like a card number, an SSN or a bearer
token before it is written (an exception's text can quote a value).
"""

import logging
import re
import sys
import time

from flask import Flask, g, has_app_context, has_request_context, request
from pythonjsonlogger.json import JsonFormatter
from rq import get_current_job

CONTEXT_FIELDS = ("request_id", "user_id", "agency_id", "route", "job_id")
# Whole tokens only: a hex request id or a UUID holding a run of digits is not a card number.
_SSN = re.compile(r"(?<![A-Za-z0-9])\d{3}-?\d{2}-?\d{4}(?![A-Za-z0-9])")
_CARD = re.compile(r"(?<![A-Za-z0-9])(?:\d[ -]?){12,18}\d(?![A-Za-z0-9])")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRET_PAIR = re.compile(r'(?i)((?:password|passwd|secret|token|api_key)["\']?\s*[:=]\s*["\']?)[^\s"\'&,}]+')

request_log = logging.getLogger("debtflow.request")


def scrub(text: str) -> str:
    """``text`` without card-like digit runs, SSNs, bearer tokens and ``password=...``-style values."""
    text = _BEARER.sub(r"\1[redacted]", text)
    text = _SECRET_PAIR.sub(r"\1[redacted]", text)
    text = _CARD.sub("[redacted]", text)
    return _SSN.sub("[redacted]", text)


class ScrubbingJsonFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class ContextFilter(logging.Filter):
    """Adds the current request's or job's ids to every record (absent ones are left out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in context().items():
            if value is not None and not hasattr(record, name):
                setattr(record, name, value)
        return True


def context() -> dict:
    values = job_context()
    if not has_app_context():
        return values
    values.setdefault("request_id", g.get("request_id"))
    values["agency_id"] = g.get("tenant_agency_id")
    user = g.get("_login_user")  # Flask-Login's loaded user; never load one just to log
    values["user_id"] = getattr(user, "id", None)
    if has_request_context() and request.url_rule is not None:
        values["route"] = request.url_rule.rule
    return values


def job_context() -> dict:
    """In an RQ job: its id, and the id of the request that enqueued it (kept in the job's meta)."""
    job = get_current_job()
    if job is None:
        return {}
    values = {"job_id": job.id}
    if job.meta.get("request_id"):
        values["request_id"] = job.meta["request_id"]
    return values


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (a test's capture, a redirected stream)."""

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def configure(level: int = logging.INFO) -> None:
    """Send every logger's records, as JSON, to stdout (once per process)."""
    root = logging.getLogger()
    if any(isinstance(h, StdoutHandler) for h in root.handlers):
        return
    handler = StdoutHandler()
    handler.setFormatter(
        ScrubbingJsonFormatter(
            "{asctime}{levelname}{name}{message}", style="{", rename_fields={"levelname": "level", "asctime": "time"}
        )
    )
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # werkzeug's request lines carry full paths (pay-link tokens); our own request line replaces them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _start() -> None:
    g.log_started = time.perf_counter()


def _log_request(response):
    started = g.pop("log_started", None)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    request_log.info(
        "request",
        extra={"method": request.method, "status": response.status_code, "duration_ms": duration_ms},
    )
    return response


def init_app(app: Flask) -> None:
    configure()
    app.before_request(_start)
    app.after_request(_log_request)
