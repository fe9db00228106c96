"""Under gunicorn with two workers, /metrics sums what both recorded, whichever of them answers the scrape."""

import os
import signal
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from prometheus_client.mmap_dict import MmapedDict

from app import create_app
from app.config import test_config as make_test_config
from tests.conftest import own_database
from tests.imports.sftp_server import free_port
from tests.ops.conftest import samples, value
from tests.test_server_banner import get_when_up

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "gunicorn-test-metrics-token"  # noqa: S105


@pytest.fixture
def migrated_url(tmp_path):
    with own_database(tmp_path, "gunicorn") as url:
        with create_app(make_test_config(url)).app_context():
            upgrade()
        yield url


@pytest.fixture
def gunicorn(migrated_url, tmp_path):
    port, metrics_dir = free_port(), tmp_path / "metrics"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TEST_")},
        "DATABASE_URL": migrated_url,
        "SECRET_KEY": "gunicorn-test",
        "REDIS_URL": os.environ.get("TEST_REDIS_URL") or f"redis://127.0.0.1:{free_port()}/0",
        "DEBTFLOW_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DEBTFLOW_AUDIT_KEY": "gunicorn-test-audit-key",
        "DEBTFLOW_METRICS_TOKEN": TOKEN,
        "IMPORT_STORAGE_DIR": str(tmp_path / "imports"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "1",
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
    command += ["-b", f"127.0.0.1:{port}", "wsgi:app"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        get_when_up(f"http://127.0.0.1:{port}/health", seconds=120).close()  # a busy machine boots slowly
        yield f"http://127.0.0.1:{port}", metrics_dir
    finally:
        proc.send_signal(signal.SIGINT)  # quick shutdown: nothing is in flight
        proc.wait(timeout=40)


def head(url: str) -> int:
    """HEAD, which no probe on this machine sends: the counts are ours alone."""
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30) as response:  # noqa: S310
        return response.status


def scrape(base: str) -> dict:
    request = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server on loopback)
        return samples(response.read().decode())


def workers_that_counted_heads(metrics_dir: Path) -> set[str]:
    """The processes whose own counter file holds HEAD requests (each gunicorn worker writes its own file)."""
    pids = set()
    for path in metrics_dir.glob("counter_*.db"):
        keys = [key for key, *_ in MmapedDict.read_all_values_from_file(str(path))]
        if any('"HEAD"' in key for key in keys):
            pids.add(path.stem.rsplit("_", 1)[-1])
    return pids


def test_both_workers_requests_are_summed_in_every_scrape_behind_the_token(gunicorn):
    base, metrics_dir = gunicorn
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        while sent < 40 or (len(workers_that_counted_heads(metrics_dir)) < 2 and sent < 400):
            assert set(pool.map(head, [f"{base}/health"] * 20)) == {200}
            sent += 20
    assert len(workers_that_counted_heads(metrics_dir)) == 2
    heads = {"endpoint": "ops.health", "method": "HEAD", "status": "200"}
    for _ in range(4):  # whichever worker answers, the sum is the same
        found = scrape(base)
        assert value(found, "debtflow_http_requests_total", **heads) == sent
        assert (
            value(found, "debtflow_http_request_duration_seconds_count", endpoint="ops.health", method="HEAD") == sent
        )
        assert value(found, "debtflow_db_pool_connections_limit") >= 2 * 5  # both workers' pools, live
    with pytest.raises(urllib.error.HTTPError) as refused:  # and no scrape without the token
        head(f"{base}/metrics")
    assert refused.value.code == 401
