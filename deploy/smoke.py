"""`make smoke`: the deployment's processes on this machine, watched by a real Prometheus with the repo's config.

Starts gunicorn (2 workers), an rq worker (DebtFlow's worker class, serving its metrics), the rq cron process, an
SFTP server on loopback and Prometheus (Debian's package) with deploy/prometheus's rules, scraping web and worker
with the bearer token. Then: a creditor file is dropped on the SFTP server and imported by the cron's poll and the
worker; a check payment is recorded through the web; five card requests against an unreachable Stripe open the
circuit breaker. It asks Prometheus's HTTP API for the series that moved and for the breaker alert firing, prints
what it saw, stops everything it started, and exits non-zero if anything was missing. Bounded: about a minute.

Needs PostgreSQL and Redis: SMOKE_DATABASE_URL (a server; the smoke creates and drops a database of its own) and
SMOKE_REDIS_URL (a db number of its own: the worker and cron register there).
"""

import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from tests.conftest import _create_pg_database, _drop_pg_database  # noqa: E402
from tests.imports.sftp_server import PASSWORD as SFTP_PASSWORD  # noqa: E402
from tests.imports.sftp_server import USERNAME as SFTP_USER  # noqa: E402
from tests.imports.sftp_server import SftpTestServer, free_port  # noqa: E402

BIN = Path(sys.executable).parent
DEADLINE = time.monotonic() + 170  # the whole run, start to stop (on a busy 2-core machine)
ADMIN, ADMIN_PASSWORD = "smoke-admin", "Smoke-Horse-42-battery"
CSV = "external_ref,debtor_name,original_amount,creditor_name\nS1,Ann Lee,500.00,Acme\nS2,Bob Roe,250.00,Acme\n"
TOKEN = uuid.uuid4().hex
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"smoke [{time.monotonic() - STARTED:5.1f} s]: {text}", flush=True)


def wait_until(what: str, check, seconds: float = 30, every: float = 0.5):
    """Call ``check`` until it returns something truthy; fail after ``seconds`` (or at the run's deadline)."""
    end = min(time.monotonic() + seconds, DEADLINE)
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > end:
            raise SystemExit(f"smoke: FAILED waiting for {what}")
        time.sleep(every)


def environment(work: Path, database_url: str, redis_url: str, stripe_port: int) -> dict:
    """Production settings, as the chart gives them, pointing at this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PROMETHEUS_MULTIPROC_DIR"))}
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=uuid.uuid4().hex,
        DEBTFLOW_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DEBTFLOW_AUDIT_KEY=uuid.uuid4().hex,
        DEBTFLOW_METRICS_TOKEN=TOKEN,
        IMPORT_STORAGE_DIR=str(work / "imports"),
        AUDIT_CHECKPOINT_DIR=str(work / "checkpoints"),
        OUTBOUND_ALLOWED_NETWORKS="127.0.0.0/8",  # the SFTP server and "Stripe" are on loopback
        SESSION_COOKIE_SECURE="false",  # plain HTTP on loopback
        STRIPE_SECRET_KEY="sk_test_smoke",  # noqa: S106
        STRIPE_PUBLISHABLE_KEY="pk_test_smoke",
        STRIPE_WEBHOOK_SECRET="whsec_smoke",  # noqa: S106
        STRIPE_API_BASE=f"http://127.0.0.1:{stripe_port}",  # nothing listens: every call is an outage
    )
    return env


def prepare_database(env: dict, sftp: SftpTestServer) -> None:
    """Migrate, then an agency with an admin and an SFTP import source (through the services, as an admin would)."""
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    script = f"""
from app import create_app
from app.agencies.models import Agency
from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.extensions import db
from app.imports.services.sources import save_source
with create_app().app_context():
    agency = Agency(name="Smoke Agency", slug="smoke", timezone="America/New_York", currency="USD", mfa_required=False)
    admin = User(agency=agency, username={ADMIN!r}, email="admin@smoke.test", full_name="Smoke Admin",
                 role=Role.ADMIN, active=True, password_hash=hash_password({ADMIN_PASSWORD!r}))
    db.session.add_all([agency, admin]); db.session.commit()
    save_source(dict(name="Creditor drop", kind="sftp", host="127.0.0.1", port={sftp.port}, username={SFTP_USER!r},
                     password={SFTP_PASSWORD!r}, host_key={sftp.host_key!r}, remote_dir="/upload",
                     processed_dir="/upload/processed", pattern="*.csv", poll_interval_minutes=1, enabled=True),
                actor=admin)
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)  # noqa: S603


@contextmanager
def process(name: str, command: list[str], env: dict, log: Path):
    """Run ``command`` for the block; stop it (SIGTERM, then SIGKILL) after, whatever happened."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    say(f"started {name} (pid {proc.pid})")
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)  # the quick stop: gunicorn and rq stop at once, Prometheus as on SIGTERM
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        say(f"stopped {name}")


def prometheus_config(work: Path, web: str, worker: str) -> Path:
    """The repo's prometheus.yml with this run's targets, token file and rules, scraping every second."""
    (work / "metrics-token").write_text(TOKEN)
    text = (ROOT / "deploy/prometheus/prometheus.yml").read_text()
    text = text.replace('"web:8000"', f'"{web}"').replace('"worker:9100"', f'"{worker}"')
    text = text.replace("/etc/prometheus/metrics-token", str(work / "metrics-token"))
    text = text.replace("- alerts.yml", f"- {ROOT / 'deploy/prometheus/alerts.yml'}")
    text = text.replace("scrape_interval: 15s", "scrape_interval: 1s").replace(
        "evaluation_interval: 15s", "evaluation_interval: 1s"
    )
    path = work / "prometheus.yml"
    path.write_text(text)
    return path


class Browser:
    """A signed-in admin over HTTP: cookies, and the CSRF token of the last page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def open(self, path: str, data: dict | None = None, json_body: dict | None = None) -> tuple[int, str]:
        body, headers = None, {"X-CSRFToken": self.csrf}
        if data is not None:
            body = urllib.parse.urlencode({"csrf_token": self.csrf, **data}).encode()
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310 (loopback)
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        found = CSRF_META.search(text)
        self.csrf = found.group(1) if found else self.csrf
        return status, text

    def sign_in(self) -> None:
        self.open("/login")
        status, _ = self.open("/login", {"username": ADMIN, "password": ADMIN_PASSWORD})
        assert status == 200, f"sign-in answered {status}"  # the redirect is followed to the dashboard


def account_ids(env: dict) -> list[int]:
    script = """
from sqlalchemy import select
from app import create_app
from app.accounts.models import Account
from app.extensions import db
with create_app().app_context():
    print(" ".join(str(i) for i in db.session.scalars(select(Account.id).order_by(Account.id))))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    return [int(word) for word in out.stdout.split()] if out.returncode == 0 else []


def query(prometheus: str, promql: str) -> list[dict]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our Prometheus on loopback)
        return json.loads(response.read())["data"]["result"]


CHECKS = {
    "requests answered": "sum(debtflow_http_requests_total)",
    "import files completed": 'sum(debtflow_import_files_total{outcome=~"completed.*"})',
    "import rows created": 'sum(debtflow_import_rows_total{outcome="created"})',
    "import duration observed": "sum(debtflow_import_duration_seconds_count)",
    "check payments completed": 'sum(debtflow_payments_total{method="check",status="completed"})',
    "amount collected": "sum(debtflow_payments_collected_amount_total)",
    "jobs run by the worker": "sum(debtflow_rq_job_duration_seconds_count)",
    "workers registered": "max(debtflow_rq_workers)",
    "accounts (all statuses)": "sum(max by (status) (debtflow_accounts))",
    "pool connections limit": "sum(debtflow_db_pool_connections_limit)",
    "breaker open": 'max(debtflow_stripe_circuit_state{state=~"open|half_open"})',
    "DebtFlowStripeCircuitOpen firing": 'count(ALERTS{alertname="DebtFlowStripeCircuitOpen",alertstate="firing"})',
}


def observed(prometheus: str) -> dict[str, float | None]:
    values = {}
    for name, promql in CHECKS.items():
        result = query(prometheus, promql)
        values[name] = float(result[0]["value"][1]) if result else None
    return values


def exercise(env: dict, web: str) -> None:
    """Wait for the dropped file's import (cron polls, the worker imports), record a payment, open the breaker."""
    ids = wait_until(
        "the import (cron poll, then the worker)", lambda: len(account_ids(env)) == 2 and account_ids(env), 60
    )
    say(f"imported accounts {ids}")
    browser = Browser(web)
    browser.sign_in()
    key = uuid.uuid4().hex
    status, _ = browser.open(
        f"/payments/accounts/{ids[0]}/manual",
        {"amount": "120.00", "method": "check", "reference": "chk 1", "idempotency_key": key},
    )
    say(f"recorded a check payment of 120.00 (HTTP {status})")
    for attempt in range(5):  # each card request meets an unreachable Stripe: five outages open the breaker
        body = {"account_id": ids[1], "amount": "50.00", "idempotency_key": uuid.uuid4().hex}
        status, _ = browser.open("/api/v1/payments/card-requests", json_body=body)
        say(f"card request {attempt + 1}: HTTP {status}")


def run(work: Path, database_url: str, redis_url: str) -> int:
    sftp_root = work / "sftp"
    (sftp_root / "upload" / "processed").mkdir(parents=True)
    web_port, worker_port, prom_port, stripe_port = free_port(), free_port(), free_port(), free_port()
    env = environment(work, database_url, redis_url, stripe_port)
    web, prometheus = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{prom_port}"
    with ExitStack() as stack:
        sftp = SftpTestServer(sftp_root).start()
        stack.callback(sftp.stop)
        say(f"SFTP server on 127.0.0.1:{sftp.port}")
        prepare_database(env, sftp)
        (sftp_root / "upload" / "portfolio.csv").write_text(CSV)  # before cron starts: its first poll finds it
        empty_queues(redis_url)
        say("database migrated; agency, admin and SFTP import source created")
        web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics-web"), "GUNICORN_WORKERS": "2"}
        worker_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics-worker")}
        worker_env.update(DEBTFLOW_WORKER_METRICS_PORT=str(worker_port), DEBTFLOW_WORKER_METRICS_HOST="127.0.0.1")
        gunicorn = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{web_port}", "wsgi:app"]
        stack.enter_context(process("gunicorn", gunicorn, web_env, work / "gunicorn.log"))
        rq_worker = [str(BIN / "rq"), "worker", "-w", "jobs.worker.Worker", "--url", redis_url, "imports", "default"]
        stack.enter_context(process("rq worker", rq_worker, worker_env, work / "worker.log"))
        stack.enter_context(
            process("rq cron", [str(BIN / "rq"), "cron", "jobs/cron.py", "--url", redis_url], env, work / "cron.log")
        )
        config = prometheus_config(work, f"127.0.0.1:{web_port}", f"127.0.0.1:{worker_port}")
        prom = [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={work / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ]
        stack.enter_context(process("prometheus", prom, env, work / "prometheus.log"))
        wait_until("the web to be ready", lambda: _answers(f"{web}/ready"), 60)
        wait_until("Prometheus to be ready", lambda: _answers(f"{prometheus}/-/ready"))
        say("web ready, Prometheus ready")
        exercise(env, web)
        values = wait_until("Prometheus to see everything", lambda: _all_seen(prometheus), 40, every=1)
        for name, number in values.items():
            say(f"  {name:<36} {number:g}")
        say("every series moved and the breaker alert is firing")
    return 0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own servers on loopback)
            return response.status == 200
    except OSError:
        return False


_last: dict = {}


def _all_seen(prometheus: str) -> dict | None:
    values = observed(prometheus)
    if values != _last:
        _last.clear()
        _last.update(values)
        missing = [name for name, number in values.items() if not number]
        say(f"Prometheus sees {len(values) - len(missing)}/{len(values)}; waiting for: {', '.join(missing) or '-'}")
    return values if all(values.values()) else None


def main() -> int:
    if not shutil.which("prometheus"):
        raise SystemExit("smoke: Prometheus is not installed (Debian package `prometheus`)")
    server = os.environ.get("SMOKE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/0")
    work = Path(tempfile.mkdtemp(prefix="debtflow-smoke-"))
    database_url = _create_pg_database(server)
    try:
        return run(work, database_url, redis_url)
    except SystemExit:
        for log in sorted(work.glob("*.log")):
            print(f"----- {log.name} (last lines) -----\n" + "\n".join(log.read_text().splitlines()[-25:]))
        raise
    finally:
        _drop_pg_database(database_url)
        _forget_breaker(redis_url)
        shutil.rmtree(work, ignore_errors=True)


def empty_queues(redis_url: str) -> None:
    """Jobs an earlier run left queued (for its own, dropped, database) would only delay this run's."""
    from redis import Redis
    from rq import Queue

    from app.queue import QUEUES

    connection = Redis.from_url(redis_url)
    for name in QUEUES:
        Queue(name, connection=connection).empty()


def _forget_breaker(redis_url: str) -> None:
    """The breaker's state lives in Redis: leave it closed for whatever runs next on this Redis."""
    from redis import Redis

    from app.payments.services.breaker import PREFIX

    client = Redis.from_url(redis_url)
    client.delete(*[f"{PREFIX}stripe{suffix}" for suffix in (":opened_at", ":trial", ":failures")])


if __name__ == "__main__":
    sys.exit(main())
