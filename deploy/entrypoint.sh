#!/bin/sh
# Container entry point: apply migrations, then run the given command (gunicorn, rq worker, ...).
set -eu
export FLASK_APP=wsgi.py
flask db upgrade
exec "$@"
