"""Bulk operations: asked for by an admin, run in batches (inline, or as a background job above a threshold).

Each batch is one transaction: it locks its accounts (in id order) and then, for an assignment, the chosen
collectors' profiles, writes set-based, and saves the operation's progress and cursor. Batches rather than one
transaction: progress is visible while the job runs (on SQLite too, where a second writer would wait), locks
are held for one batch only so the list and single assignments carry on, and a retried job resumes after the
last committed batch. The operation is audited once, when it ends, with its counts.
"""

from collections import Counter

from flask import current_app

from app import queue
from app.audit import services as audit
from app.auth.models import User
from app.bulk.actions import get_action
from app.bulk.models import BulkOperation, OperationStatus
from app.bulk.registry import Batch, BulkAction
from app.bulk.selection import Selection, count_selected, next_batch
from app.collectors.services import require_admin
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

BATCH_SIZE = 2000
BACKGROUND_THRESHOLD = 1000  # more selected accounts than this: a background job (config BULK_BACKGROUND_THRESHOLD)


def submit_operation(action_name: str, selection: Selection, params: dict, *, actor: User) -> BulkOperation:
    """Check and record an operation, then run it now or, above the threshold, queue it as a job.

    Raises PermissionDenied for non-admins, NotFound for an unknown action, ValidationFailed for bad parameters
    or an empty selection.
    """
    require_admin(actor)
    action = get_action(action_name)
    clean = action.prepare(actor, params)
    total = count_selected(actor, selection)
    if not total:
        raise ValidationFailed("No accounts of your agency are selected.")
    operation = BulkOperation(
        agency_id=actor.agency_id, actor_id=actor.id, action=action.name, params=clean, selection=selection.to_json()
    )
    operation.total, operation.counts = total, {}
    db.session.add(operation)
    db.session.commit()
    if total > current_app.config.get("BULK_BACKGROUND_THRESHOLD", BACKGROUND_THRESHOLD):
        return _enqueue(operation)
    return run_operation(operation.id)


def _enqueue(operation: BulkOperation) -> BulkOperation:
    description = f"bulk {operation.action} #{operation.id} ({operation.total} accounts)"
    operation.rq_job_id = queue.enqueue("jobs.bulk.run_bulk_operation", operation.id, description=description)
    db.session.commit()
    return operation


def run_operation(operation_id: int) -> BulkOperation:
    """Run (or resume after its committed batches) a queued operation; an error marks it failed, re-raised."""
    operation = db.session.get(BulkOperation, operation_id)
    if operation is None or not operation.status.active:
        return operation
    actor, action = operation.actor, get_action(operation.action)
    operation.status = OperationStatus.RUNNING
    db.session.commit()
    try:
        require_admin(actor)
        while _run_batch(operation, action, actor):
            pass
    except Exception as exc:  # recorded on the operation and audited, then re-raised for RQ
        db.session.rollback()
        reason = getattr(exc, "message", None) or "an unexpected error (see the logs)"
        _end(operation, action, OperationStatus.FAILED, f"Stopped after {operation.processed:,} accounts: {reason}")
        raise
    return _end(operation, action, OperationStatus.DONE)


def _run_batch(operation: BulkOperation, action: BulkAction, actor: User) -> bool:
    """Apply the action to the next batch and commit it with the progress; False when none is left."""
    selection = Selection.from_json(operation.selection)
    size = current_app.config.get("BULK_BATCH_SIZE", BATCH_SIZE)
    rows = next_batch(actor, selection, operation.last_account_id, size)
    if not rows:
        return False
    state = {"cursor": operation.counts.get("cursor", 0)}
    counts = Counter({k: v for k, v in operation.counts.items() if k != "cursor"})
    counts.update(action.apply(Batch(actor, operation.id, operation.params, rows, state)))
    operation.counts = {**counts, **state}
    operation.processed += len(rows)
    operation.last_account_id = rows[-1].id
    db.session.commit()
    return True


def _end(operation: BulkOperation, action: BulkAction, status: OperationStatus, error: str = "") -> BulkOperation:
    """Finish the operation and write its one audit event (the counts, whatever the outcome)."""
    counts = {k: v for k, v in operation.counts.items() if k != "cursor"}
    operation.status, operation.finished_at = status, utcnow()
    operation.message = error or action.summary(operation.params, counts)
    changes = {"counts": counts, "params": operation.params, "selection": operation.selection, "status": status.value}
    verb = "bulk_failed" if status == OperationStatus.FAILED else f"bulk_{action.name}"
    audit.record(operation.actor, operation.agency_id, f"accounts.{verb}", "bulk_operation", operation.id, changes)
    db.session.commit()
    return operation


def get_operation(viewer: User, operation_id: int) -> BulkOperation:
    """An operation of the viewer's agency (admins only); NotFound for any other."""
    require_admin(viewer)
    operation = db.session.get(BulkOperation, operation_id)
    if operation is None or operation.agency_id != viewer.agency_id:
        raise NotFound("Bulk operation not found.")
    return operation
