"""Business and pool metrics recorded from the ORM and the connection pool, not from each service.

A payment's status change and an import's end are seen at flush (any session, any service, the API's and the
jobs' alike) and counted only once the transaction commits, so a rolled-back change never counts. The state an
object entered is what counts, so a payment that goes pending -> completed counts once as pending and once as
completed, and ``debtflow_payments_collected_amount`` grows by its amount when it completes.
"""

from flask import Flask
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.ops import metrics

PENDING_KEY = "debtflow_metrics_pending"


def install(app: Flask) -> None:
    """Listen on every session (once per process) and on this app's connection pool."""
    for name, listener in (("after_flush", _collect), ("after_commit", _emit), ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    with app.app_context():
        from app.extensions import db

        _watch_pool(db.engine.pool)


def _watch_pool(pool) -> None:
    if event.contains(pool, "checkout", _checked_out):
        return
    event.listen(pool, "checkout", _checked_out)
    event.listen(pool, "checkin", _checked_in)
    size = getattr(pool, "size", lambda: 1)()
    metrics.POOL_LIMIT.inc(size + max(getattr(pool, "_max_overflow", 0), 0))


def _checked_out(*_args) -> None:
    metrics.POOL_IN_USE.inc()


def _checked_in(*_args) -> None:
    metrics.POOL_IN_USE.dec()


def _collect(session: Session, _context) -> None:
    """Note what this flush changed that a metric counts; recorded at commit."""
    from app.imports.models import ImportJob
    from app.payments.models import Payment

    pending = session.info.setdefault(PENDING_KEY, [])
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Payment) and _status_changed(obj):
            pending.append(_payment_record(obj))
        elif isinstance(obj, ImportJob) and _status_changed(obj) and obj.finished_at is not None:
            pending.append(_import_record(obj))


def _status_changed(obj) -> bool:
    history = inspect(obj).attrs.status.history
    return bool(history.added) and history.added != history.deleted


def _payment_record(payment) -> tuple:
    return ("payment", str(payment.method), str(payment.status), float(payment.amount or 0))


def _import_record(job) -> tuple:
    unchanged = max((job.ok or 0) - (job.created or 0) - (job.updated or 0), 0)
    rows = {"created": job.created or 0, "updated": job.updated or 0, "unchanged": unchanged}
    rows["rejected"] = job.errors or 0
    seconds = (job.finished_at - job.started_at).total_seconds() if job.started_at else None
    return ("import", str(job.status), rows, seconds)


def _emit(session: Session) -> None:
    for record in session.info.pop(PENDING_KEY, []):
        if record[0] == "payment":
            _count_payment(*record[1:])
        else:
            _count_import(*record[1:])


def _forget(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def _count_payment(method: str, status: str, amount: float) -> None:
    metrics.PAYMENTS.labels(method, status).inc()
    if status == "completed":
        metrics.COLLECTED.labels(method).inc(amount)


def _count_import(outcome: str, rows: dict, seconds: float | None) -> None:
    metrics.IMPORT_FILES.labels(outcome).inc()
    for name, count in rows.items():
        metrics.IMPORT_ROWS.labels(name).inc(count)
    if seconds is not None:
        metrics.IMPORT_SECONDS.observe(max(seconds, 0.0))
