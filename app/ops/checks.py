"""Dependency checks shared by ``/ready`` and the operator's health page: each says up (True), down (False) or
not part of this deployment (None), and logs why it is down (the probe's answer names only what)."""

import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import queue
from app.extensions import db

log = logging.getLogger(__name__)


def run_all() -> dict[str, bool | None]:
    return {
        "database": database_up(),
        "migrations": migrations_at_head(),
        "redis": redis_up(),
        "storage": storage_writable(),
    }


def database_up() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the detail goes to the log, not the probe
        db.session.rollback()
        log.warning("readiness: database check failed", exc_info=True)
        return False
    return True


def migrations_at_head() -> bool:
    """The database's alembic revision is the code's head (an app ahead of its schema is not ready)."""
    try:
        current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("readiness: migration check failed", exc_info=True)
        return False
    heads = code_heads(current_app.extensions["migrate"].directory)
    if current != heads:
        log.warning("readiness: database at %s, code at %s", sorted(current), sorted(heads))
        return False
    return True


@cache
def code_heads(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts (read once per process: the code does not change under it)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def redis_up() -> bool | None:
    """None when this deployment has no Redis (the embedded mode)."""
    if not current_app.config.get("REDIS_URL"):
        return None
    try:
        queue.redis_connection().ping()
    except RedisError:
        log.warning("readiness: redis check failed", exc_info=True)
        return False
    return True


def storage_writable() -> bool:
    """The import storage directory exists and takes a file (received files are written there)."""
    path = Path(current_app.config["IMPORT_STORAGE_DIR"])
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path, prefix=".ready-")
        os.close(fd)
        os.unlink(name)
    except OSError:
        log.warning("readiness: storage %s is not writable", path, exc_info=True)
        return False
    return True
