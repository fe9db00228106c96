"""The RQ worker DebtFlow runs: ``rq worker -w jobs.worker.Worker imports default``.

On top of RQ's worker it times each job (``debtflow_rq_job_duration_seconds`` by job and outcome) and, when
``DEBTFLOW_WORKER_METRICS_PORT`` is set, serves this worker's metrics (the jobs' own: imports and payments they
recorded, durations) at ``/metrics`` on that port, behind the same bearer token as the web's. Its multiprocess
directory (``PROMETHEUS_MULTIPROC_DIR``, one per worker) is emptied when it starts.
"""

import hmac
import os
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

import rq
from prometheus_client import CollectorRegistry, make_wsgi_app, multiprocess

from app.ops import metrics


class TimedJobs:
    """Times each job it performs (in the horse, for a forking worker)."""

    def perform_job(self, job, *args, **kwargs) -> bool:
        started = time.perf_counter()
        ok = super().perform_job(job, *args, **kwargs)
        name = (job.func_name or "unknown").rsplit(".", 1)[-1]
        metrics.JOB_SECONDS.labels(name, "finished" if ok else "failed").observe(time.perf_counter() - started)
        return ok


class Worker(TimedJobs, rq.Worker):
    def work(self, *args, **kwargs):
        metrics.clean_multiprocess_dir()
        port = os.environ.get("DEBTFLOW_WORKER_METRICS_PORT")
        if port:
            serve_metrics(int(port), os.environ.get("DEBTFLOW_METRICS_TOKEN", ""))
        return super().work(*args, **kwargs)

    def perform_job(self, job, *args, **kwargs) -> bool:
        """In the horse, which ends with the job: its live gauges (its pool) stop counting."""
        try:
            return super().perform_job(job, *args, **kwargs)
        finally:
            metrics.mark_process_dead(os.getpid())


class SimpleWorker(TimedJobs, rq.SimpleWorker):
    """The same without forking (jobs run in the worker's own process): tests, debugging."""


def metrics_app(token: str):
    """A WSGI app answering the multiprocess directory's metrics, to ``Bearer <token>`` only when one is set."""
    registry = CollectorRegistry()
    if metrics.multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    inner = make_wsgi_app(registry)
    expected = f"Bearer {token}".encode()

    def app(environ, start_response):
        given = environ.get("HTTP_AUTHORIZATION", "").encode()
        if token and not hmac.compare_digest(given, expected):
            start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")])
            return [b"metrics need a bearer token\n"]
        return inner(environ, start_response)

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args):  # scrapes every 15 s would drown the worker's own log
        pass


def serve_metrics(port: int, token: str) -> None:
    """Serve on every interface of the worker's pod (Prometheus scrapes it there; the chart's policy limits who)."""
    host = os.environ.get("DEBTFLOW_WORKER_METRICS_HOST", "0.0.0.0")  # noqa: S104  # nosec B104
    server = make_server(host, port, metrics_app(token), handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
