"""One import run at a time per agency, and whether one is running: the lock a live run holds.

PostgreSQL: an advisory lock in a transaction on a connection of its own; SQLite (one machine): a file lock
under the storage directory. Either is released when the run ends or its process dies, which is how the sweep
(:mod:`app.imports.services.recovery`) tells a dead run from a live one.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from app import pg
from app.extensions import db
from app.pg import imports as pg_imports

LOCK_SPACE = 7301  # first key of the per-agency advisory lock (the second is the agency id)


@contextmanager
def agency_import_lock(agency_id: int) -> Iterator[None]:
    """One run at a time per agency: a second run waits, and a job started twice is found finished by the
    second run. PostgreSQL: an advisory lock in a transaction on a connection of its own; SQLite (one
    machine): a file lock. Either is released when the run ends or its process dies."""
    if pg.active(db.engine):
        with pg_imports.advisory_lock(LOCK_SPACE, agency_id):
            yield
        return
    with _lock_file(agency_id).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def import_in_progress(agency_id: int) -> bool:
    """Whether a live run holds the agency's import lock (a run whose process died holds nothing)."""
    if pg.active(db.engine):
        return not pg_imports.advisory_lock_free(LOCK_SPACE, agency_id)
    with _lock_file(agency_id).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False  # closing the file releases the lock just taken


def _lock_file(agency_id: int) -> Path:
    folder = Path(current_app.config["IMPORT_STORAGE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".agency-{agency_id}.lock"
