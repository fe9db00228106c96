"""Background jobs: enqueue by dotted path, onto RQ (production) or an in-process worker (embedded).

* ``REDIS_URL`` set: an RQ queue on that Redis; ``rq worker imports default`` runs the jobs.
* embedded (no ``REDIS_URL``): one background thread of this process runs jobs in order, so the demo needs
  no Redis and SQLite sees one writer job at a time.
* ``JOBS_SYNC`` (tests): the job runs inside ``enqueue`` through RQ with ``is_async=False``, on the test
  Redis when one is configured, else on fakeredis.
* ``JOBS_FAKEREDIS`` (tests without a Redis): jobs wait on fakeredis's queues for a worker the test runs.

Jobs take ids and primitives only and keep their progress in database rows, never only in RQ.
"""

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache

from flask import Flask, current_app, g
from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from werkzeug.utils import import_string

from app.errors import DomainError

log = logging.getLogger(__name__)
QUEUES = ("imports", "default")


class QueueUnavailable(DomainError):
    """Redis cannot be reached, so nothing can be queued now (HTTP 503)."""

    status, code = 503, "queue_unavailable"


@cache
def _embedded_executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="debtflow-job")


def redis_connection() -> Redis:
    """The Redis of this deployment, or an in-memory fakeredis when none is configured (tests only)."""
    url = current_app.config.get("REDIS_URL")
    if url:
        return Redis.from_url(url)
    from fakeredis import FakeRedis

    return FakeRedis(server=_fake_server())


@cache
def _fake_server():
    from fakeredis import FakeServer

    return FakeServer()


def get_queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection(), is_async=not current_app.config.get("JOBS_SYNC", False))


def enqueue(
    path: str, *args, queue: str = "default", description: str = "", timeout: int = 3600, retries: int = 0
) -> str:
    """Run ``path(*args)`` in the background and return a job id (an RQ id, or ``embedded-...``)."""
    if _embedded(current_app.config):
        future = _embedded_executor().submit(_run_embedded, current_app._get_current_object(), path, args)
        return f"embedded-{id(future)}"
    retry = Retry(max=retries, interval=[10, 60, 300][:retries] or None) if retries else None
    # The enqueuing request's id goes with the job, so the worker's log lines for it can be tied to the request.
    meta = {"request_id": g.get("request_id")}
    job = get_queue(queue).enqueue(
        path, *args, description=description or path, job_timeout=timeout, retry=retry, meta=meta
    )
    return job.id


def rq_status(job_id: str | None) -> str | None:
    """What RQ knows of a job it was given (``queued``, ``started``, ``failed``...); None when it has no such job
    (never enqueued, expired, or lost with Redis's data). RedisError when Redis is unreachable."""
    if not job_id:
        return None
    try:
        return Job.fetch(job_id, connection=redis_connection()).get_status()
    except NoSuchJobError:
        return None


def _embedded(config) -> bool:
    """No Redis and no test mode asking for RQ: the job goes to this process's worker thread."""
    return not (config.get("REDIS_URL") or config.get("JOBS_SYNC") or config.get("JOBS_FAKEREDIS"))


def _run_embedded(app: Flask, path: str, args: tuple) -> None:
    """Run one job in the embedded worker thread, inside the web app's context; log, never lose, a failure."""
    with app.app_context():
        try:
            import_string(path)(*args)
        except Exception:  # the job records its own failure in its status row; this keeps the thread alive
            log.exception("embedded job %s%r failed", path, args)


def wait_for_embedded_jobs() -> None:
    """Block until the embedded worker has run everything queued so far (used by the demo and tests)."""
    marker: Future = _embedded_executor().submit(lambda: None)
    marker.result()
