"""Import jobs: run one file's import, poll one source. Each calls one service."""

from jobs.context import app_context


def run_import(job_id: int) -> None:
    """Process import job ``job_id`` (an unexpected error marks it failed, then RQ records it)."""
    from app.imports.services import run

    with app_context():
        run.run_queued_import(job_id)


def poll_source(source_id: int) -> None:
    """Fetch new files from import source ``source_id`` and queue their imports."""
    from app.imports.services import polling

    with app_context():
        polling.poll_source(source_id)


def poll_due_sources() -> None:
    """Queue a poll of every enabled source whose interval has elapsed (run by ``rq cron``)."""
    from app.imports.services import polling

    with app_context():
        polling.queue_due_polls()


def sweep_import_jobs() -> str:
    """Enqueue import jobs nobody will run: queued but not in RQ, or running with their run dead (rq cron)."""
    from app.imports.services import recovery

    with app_context():
        return str(recovery.sweep_import_jobs())
