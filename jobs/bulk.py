"""Bulk operation jobs: a large bulk assignment or change, run in committed batches."""

from jobs.context import app_context


def run_bulk_operation(operation_id: int) -> None:
    """Run (or resume) bulk operation ``operation_id``; a failure is recorded on it, then RQ records it."""
    from app.bulk.services import run_operation

    with app_context():
        run_operation(operation_id)
