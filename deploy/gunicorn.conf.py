"""gunicorn settings for `gunicorn -c deploy/gunicorn.conf.py wsgi:app`; every value can be overridden by env."""

import os

import gunicorn.http.wsgi

# gunicorn names itself in every response's Server header; tell a scanner nothing about the software behind it.
gunicorn.http.wsgi.SERVER = "DebtFlow"

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
