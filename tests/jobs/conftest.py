"""Fixtures for the RQ job functions: jobs queued the way the app queues them, run by a real RQ worker.

The queues live on the test Redis (``TEST_REDIS_URL``) when one is configured, else on fakeredis. The worker
is an ``rq.SimpleWorker`` in the test process, so each job runs inside the test's transaction and its effects
are visible to the test (and rolled back after it) like any service call's.
"""

import pytest
from rq import SimpleWorker
from rq.job import Job

from app import queue
from app.payments.services.breaker import stripe_breaker
from tests.stripe_server import localstripe, stripe_settings


@pytest.fixture(autouse=True)
def queued_jobs(app, monkeypatch):
    """Jobs wait on their queue for :func:`run_worker` instead of running inside ``enqueue``."""
    monkeypatch.setitem(app.config, "JOBS_SYNC", False)
    if not app.config.get("REDIS_URL"):
        monkeypatch.setitem(app.config, "JOBS_FAKEREDIS", True)
    with app.app_context():
        _empty_queues()
        yield
        _empty_queues()


def _empty_queues() -> None:
    """Drop jobs another test left waiting (``Queue.empty`` runs a Lua script, which fakeredis lacks)."""
    for name in queue.QUEUES:
        waiting = queue.get_queue(name)
        waiting.connection.delete(waiting.key)


@pytest.fixture
def run_worker():
    """Run a burst worker over the app's queues until they are empty (jobs queued by jobs run too)."""

    def _run() -> None:
        queues = [queue.get_queue(name) for name in queue.QUEUES]
        SimpleWorker(queues, connection=queues[0].connection).work(burst=True, logging_level="WARNING")

    return _run


def rq_job(job_id: str) -> Job:
    """The job as RQ recorded it."""
    return Job.fetch(job_id, connection=queue.redis_connection())


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    with localstripe(tmp_path_factory.mktemp("localstripe") / "server.log") as url:
        yield url


@pytest.fixture
def card_payments(app, localstripe_url, monkeypatch):
    """Card payments on, against localstripe, with the circuit breaker closed."""
    for name, value in stripe_settings(localstripe_url, "whsec_test_jobs").items():
        monkeypatch.setitem(app.config, name, value)
    stripe_breaker().store.close()
    yield localstripe_url
    stripe_breaker().store.close()


@pytest.fixture
def redis_down(app):
    """The app's Redis is a closed port on loopback (restored after the test, before the queues are emptied)."""
    from tests.imports.sftp_server import free_port

    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    yield
    app.config["REDIS_URL"] = saved
