#!/bin/sh
# Container entry point: apply migrations, then run the given command (gunicorn, rq worker, ...).
set -eu
export FLASK_APP=wsgi.py
flask db upgrade
# A worker starting (again) first enqueues the import jobs a killed worker left behind; rq cron repeats this each
# minute. Redis being down must not keep the worker from starting.
if [ "${1:-}" = "rq" ] && [ "${2:-}" = "worker" ]; then
    flask jobs sweep || echo "entrypoint: job sweep skipped" >&2
fi
exec "$@"
