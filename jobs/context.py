"""An application context for job functions, in a worker process or inside the web process."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from flask import Flask, has_app_context


@cache
def _worker_app() -> Flask:
    """Build the app once per worker process, on first use (never at import time)."""
    from app import create_app

    return create_app()


@contextmanager
def app_context() -> Iterator[None]:
    """Reuse the current app context (tests, embedded worker) or enter the worker's own app."""
    if has_app_context():
        yield
        return
    with _worker_app().app_context():
        yield
