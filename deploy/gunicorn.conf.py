"""gunicorn settings for `gunicorn -c deploy/gunicorn.conf.py wsgi:app`; every value can be overridden by env."""

import os
import shutil
import tempfile
from pathlib import Path

import gunicorn.http.wsgi

# gunicorn names itself in every response's Server header; tell a scanner nothing about the software behind it.
gunicorn.http.wsgi.SERVER = "DebtFlow"

# Metrics from all workers are summed from files here (prometheus-client's multiprocess mode). Set before any
# worker imports the app; a directory of its own when none is given, emptied at start (on_starting).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="debtflow-metrics-"))

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# No access log: its lines carry full paths (pay-link tokens); the app logs each request as JSON, by route.
accesslog = None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# The master never imports the app (that would create metric files of its own): these hooks use the directory and
# prometheus-client directly.
def on_starting(_server):
    """Empty the metrics directory: an earlier run's files would be summed in."""
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(path, ignore_errors=True)
    Path(path).mkdir(parents=True, exist_ok=True)


def child_exit(_server, worker):
    """A worker ended: its live gauges (pool use) stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
