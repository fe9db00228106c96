#!/bin/sh
# Container entry point: apply migrations, then run the given command (gunicorn, rq worker, ...).
# Where a one-shot migration runs first (compose.yaml's migrate service, the chart's hook Job), the other
# processes set DEBTFLOW_MIGRATE_ON_START=0 so that several replicas never race to migrate.
set -eu
export FLASK_APP=wsgi.py
if [ "${DEBTFLOW_MIGRATE_ON_START:-1}" = "1" ]; then
    flask db upgrade
fi
# prometheus-client's multiprocess mode needs its directory to exist (the app clears it at start).
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
# A worker starting (again) first enqueues the import jobs a killed worker left behind; rq cron repeats this each
# minute. Redis being down must not keep the worker from starting.
if [ "${1:-}" = "rq" ] && [ "${2:-}" = "worker" ]; then
    flask jobs sweep || echo "entrypoint: job sweep skipped" >&2
fi
exec "$@"
