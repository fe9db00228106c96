"""The real servers name no software version: gunicorn with deploy/gunicorn.conf.py, and ``make run``'s server.

Each runs as its own process in production mode (a SQLite file, no Redis contacted for these probes).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_when_up(url: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own server on loopback)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def production_env(tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'banner.db'}",
        "SECRET_KEY": "banner-test",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DEBTFLOW_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DEBTFLOW_AUDIT_KEY": "banner-test-audit-key",
        "DEBTFLOW_METRICS_TOKEN": "banner-test-metrics-token",
        "GUNICORN_WORKERS": "1",
    }


SERVERS = {
    "gunicorn": lambda port: [
        str(BIN / "gunicorn"),
        "-c",
        "deploy/gunicorn.conf.py",
        "-b",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ],
    "devserver": lambda port: [sys.executable, "-m", "app.devserver", "--port", str(port)],
}


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_the_server_header_names_no_software_version(server, production_env):
    port = free_port()
    proc = subprocess.Popen(SERVERS[server](port), cwd=ROOT, env=production_env, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        with get_when_up(f"http://127.0.0.1:{port}/health") as response:
            headers = response.headers
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert headers["Server"] == "DebtFlow"
    assert "Content-Security-Policy" in headers and headers["Strict-Transport-Security"].startswith("max-age=")
