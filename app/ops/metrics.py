"""Prometheus metrics: what each process counts, what a scrape reads live, and the exposition.

Counters and histograms are recorded where things happen (requests here, imports and payments by
:mod:`app.ops.events`, jobs by :mod:`jobs.worker`). Under gunicorn and rq several processes record them, so
prometheus-client's multiprocess mode is used when ``PROMETHEUS_MULTIPROC_DIR`` is set (each process writes its
own files there; a scrape sums them). Values that are a property of the shared world rather than of a process
(queue depth, the Stripe breaker, accounts by status) are read when scraped by :class:`LiveCollector`, from Redis
and the analytics rollups, so they cost a few cheap reads and never double-count across workers.
"""

import hmac
import os
import shutil
import time
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
if os.environ.get(MULTIPROC_ENV):
    Path(os.environ[MULTIPROC_ENV]).mkdir(parents=True, exist_ok=True)  # the metrics below open files there
SLOW_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)

REQUESTS = Counter("debtflow_http_requests", "HTTP requests answered.", ["endpoint", "method", "status"])
REQUEST_SECONDS = Histogram(
    "debtflow_http_request_duration_seconds", "Time to answer an HTTP request.", ["endpoint", "method"]
)
IMPORT_FILES = Counter("debtflow_import_files", "Import files finished, by outcome.", ["outcome"])
IMPORT_ROWS = Counter("debtflow_import_rows", "Rows of finished import files, by outcome.", ["outcome"])
IMPORT_SECONDS = Histogram(
    "debtflow_import_duration_seconds", "From an import's start to its end.", buckets=SLOW_BUCKETS
)
PAYMENTS = Counter("debtflow_payments", "Payments entering each status, by method.", ["method", "status"])
COLLECTED = Counter(
    "debtflow_payments_collected_amount", "Money collected by completed payments (currency units).", ["method"]
)
JOB_SECONDS = Histogram(
    "debtflow_rq_job_duration_seconds",
    "Background job run time, by task (the job function) and outcome.",
    ["task", "outcome"],
    buckets=SLOW_BUCKETS,
)
POOL_IN_USE = Gauge(
    "debtflow_db_pool_connections_in_use",
    "Database connections checked out of the pools.",
    multiprocess_mode="livesum",
)
POOL_LIMIT = Gauge(
    "debtflow_db_pool_connections_limit",
    "Connections the pools may open (size plus overflow).",
    multiprocess_mode="livesum",
)
BREAKER_STATES = ("closed", "open", "half_open", "unknown")


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def clean_multiprocess_dir() -> None:
    """Empty the multiprocess directory at start-up: files of an earlier run's processes would be summed in."""
    path = multiprocess_dir()
    if path is None:
        return
    shutil.rmtree(path, ignore_errors=True)
    Path(path).mkdir(parents=True, exist_ok=True)


def mark_process_dead(pid: int) -> None:
    """A gunicorn worker or rq horse ended: its live gauges stop counting."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


class LiveCollector:
    """Metrics read at scrape time from the shared state (needs an app context: the /metrics request's)."""

    def collect(self):
        yield from self._accounts()
        yield from self._breaker()
        yield from self._queues()

    def _accounts(self):
        from app.extensions import db

        family = GaugeMetricFamily("debtflow_accounts", "Accounts by status, all agencies.", labels=["status"])
        try:
            stmt = _accounts_by_status()
            rows = db.session.execute(stmt).all()
        except SQLAlchemyError:
            db.session.rollback()
            rows = []
        for status, count in rows:
            family.add_metric([str(status)], float(count or 0))
        yield family

    def _breaker(self):
        from app.payments.services.breaker import stripe_breaker

        state = stripe_breaker().state()
        family = GaugeMetricFamily(
            "debtflow_stripe_circuit_state", "The Stripe circuit breaker's state (1 = in it).", labels=["state"]
        )
        for name in BREAKER_STATES:
            family.add_metric([name], 1.0 if name == state else 0.0)
        yield family

    def _queues(self):
        from rq import Queue, Worker

        from app import queue

        up = GaugeMetricFamily("debtflow_redis_up", "Whether the scrape could read Redis.")
        depth = GaugeMetricFamily("debtflow_rq_queue_jobs", "Jobs waiting in each RQ queue.", labels=["queue"])
        failed = GaugeMetricFamily("debtflow_rq_failed_jobs", "Jobs in each queue's failed registry.", labels=["queue"])
        workers = GaugeMetricFamily("debtflow_rq_workers", "RQ workers registered in Redis.")
        try:
            connection = queue.redis_connection()
            for name in queue.QUEUES:
                q = Queue(name, connection=connection)
                depth.add_metric([name], q.count)
                failed.add_metric([name], q.failed_job_registry.count)
            workers.add_metric([], Worker.count(connection=connection))
        except RedisError:
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield from (up, depth, failed, workers)


def _accounts_by_status():
    """From PostgreSQL's rollups (a few rows per agency); SQLite, which keeps none, counts its accounts."""
    from app.accounts.models import Account
    from app.analytics.models import AccountTotal
    from app.analytics.rollup import uses_rollups

    if uses_rollups():
        return select(AccountTotal.status, func.sum(AccountTotal.accounts)).group_by(AccountTotal.status)
    return select(Account.status, func.count()).group_by(Account.status)


def exposition() -> bytes:
    """The text a scrape gets: every process's metrics (or this one's) and the live ones."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    live = CollectorRegistry(auto_describe=False)
    live.register(LiveCollector())
    return generate_latest(registry) + generate_latest(live)


def metrics_view():
    """``GET /metrics``; with ``METRICS_TOKEN`` set, only for ``Authorization: Bearer <token>``."""
    token = current_app.config.get("METRICS_TOKEN")
    if token and not _bearer_matches(token):
        return Response("metrics need a bearer token\n", 401, {"WWW-Authenticate": "Bearer"}, mimetype="text/plain")
    return Response(exposition(), mimetype=CONTENT_TYPE_LATEST)


def _bearer_matches(token: str) -> bool:
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _record_request(response):
    """Count the request under its route's endpoint (a bounded label set: never the raw path)."""
    started = g.pop("metrics_started", None)
    endpoint = request.endpoint or "unmatched"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    if started is not None:
        REQUEST_SECONDS.labels(endpoint, request.method).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    from app.ops import events

    app.before_request(_start_timer)
    app.after_request(_record_request)
    events.install(app)
