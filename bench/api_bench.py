"""API bench: the accounts list endpoint against the worklist's HTML fragment for the same filter, and
requests/s of an authenticated ``GET /api/v1/accounts/{id}/`` under gunicorn.

    .venv/bin/python bench/api_bench.py --rows 1000000 --repeat 30 [--keep] [--seconds 20] [--clients 8]

Loads (or with ``--keep`` reuses) the worklist bench's synthetic agency, then times, per admin filter case of
``worklist_cases.page_cases``, the server time of the HTML fragment (``/accounts/?…`` as htmx asks for the
table) and of ``/api/v1/accounts/?…`` (25 rows each), both through the Flask test client. Ends with one JSON
line; the budget is the API's p95 within 5 ms of the fragment's for every case.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth import apitokens  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.extensions import db  # noqa: E402
from bench import pgdb, worklist_bench  # noqa: E402
from bench import worklist_data as data  # noqa: E402
from bench.worklist_cases import Case, page_cases  # noqa: E402

BUDGET_MS = 5.0
ROOT = Path(__file__).resolve().parent.parent
# WorklistFilters field -> the API's query parameter; the sort and direction become ``ordering``.
API_NAMES = {
    "status": "status",
    "priority": "priority",
    "collector_id": "collector",
    "balance_min": "min_balance",
    "balance_max": "max_balance",
    "due_from": "due_after",
    "due_to": "due_before",
    "q": "search",
    "aging": "aging",
}
ORDERINGS = {"created": "created_at", "balance": "current_balance", "priority": "priority"}
ORDERINGS |= {"due_date": "due_date", "last_contact": "last_contact_at"}


NO_LIMITS = {"API_TOKEN_LIMIT": "1000000 per minute", "API_IP_LIMIT": "1000000 per minute"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/debtflow_apibench")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database of this size; don't drop it")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the gunicorn throughput run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the throughput run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--search-statistics", type=int, default=-1, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def api_query(case: Case) -> str:
    params = {API_NAMES[k]: getattr(v, "value", v) for k, v in case.params.items() if k in API_NAMES}
    sort, direction = case.params.get("sort", "priority"), case.params.get("direction", "desc")
    params["ordering"] = ("-" if direction == "desc" else "") + ORDERINGS[sort]
    params["page_size"] = 25
    return urllib.parse.urlencode(params)


def get_ok(client, url: str, headers: dict) -> None:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, f"GET {url}: {response.status_code} {response.get_data(as_text=True)[:200]}"


def bearer_for(app, user_id: int) -> str:
    """A personal token of the bench admin (a login pair's access token would expire during a long run)."""
    with app.test_request_context():
        user = db.session.get(User, user_id)
        return apitokens.create_personal_token("bench", ["read"], None, actor=user)[1]


def compare(app, facts, repeat: int) -> dict:
    """p50/p95 of the fragment and the endpoint per admin case, interleaved so load on the machine hits both."""
    app.config.update(NO_LIMITS)  # the bench measures the endpoint, not the rate limiter's refusals
    client = worklist_bench.login(app, facts.admin_username)
    token = bearer_for(app, facts.admin_id)
    fragment = {"HX-Request": "true", "HX-Target": "account-table"}
    bearer = {"Authorization": f"Bearer {token}"}
    calls = {}
    for case in page_cases(facts, True, date.today()):
        calls[f"html {case.name}"] = partial(get_ok, client, f"/accounts/?{case.query_string()}", fragment)
        calls[f"api  {case.name}"] = partial(get_ok, client, f"/api/v1/accounts/?{api_query(case)}", bearer)
    return worklist_bench.timed(calls, repeat)


def throughput(args, facts, token: str) -> dict:
    """requests/s and p95 of GET /api/v1/accounts/{id}/ (cycling over sample accounts) under gunicorn."""
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": "bench",
        "REDIS_URL": "redis://127.0.0.1:6379/6",
    }
    env |= {"DEBTFLOW_ENCRYPTION_KEYS": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "DEBTFLOW_AUDIT_KEY": "bench"}
    env |= {"DEBTFLOW_METRICS_TOKEN": "bench"}
    env |= NO_LIMITS | {"SESSION_COOKIE_SECURE": "false"}
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "wsgi:app"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/api/v1/accounts/"
        _wait_up(base + f"{facts.admin_accounts[0]}/", token)
        return _hammer(base, facts.admin_accounts, token, args.clients, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (loopback, our own server)
        response.read()
        return response.status


def _wait_up(url: str, token: str) -> None:
    for _ in range(120):
        try:
            if _get(url, token) == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


def _hammer(base: str, ids: list[int], token: str, clients: int, seconds: float) -> dict:
    latencies, errors, stop = [], [], time.perf_counter() + seconds

    def client(offset: int) -> None:
        n = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                _get(f"{base}{ids[n % len(ids)]}/", token)
                latencies.append((time.perf_counter() - started) * 1000)
            except OSError as exc:
                errors.append(str(exc))
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    p50, p95 = worklist_bench.percentiles(latencies)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": p50,
        "p95_ms": p95,
        "clients": clients,
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    app, _ = worklist_bench.prepare(args)
    facts = data.read_facts(args.database_url, args.rows)
    before = pgdb.round_trip_ms(args.database_url)
    results = compare(app, facts, args.repeat)
    names = sorted({name[5:] for name in results})
    print(f"\nadmin, {args.rows:,} accounts: server time p50/p95 ms, fragment vs API (budget: API p95 ≤ fragment + 5)")
    worst = 0.0
    for name in names:
        (h50, h95), (a50, a95) = results[f"html {name}"], results[f"api  {name}"]
        worst = max(worst, a95 - h95)
        print(f"  {name:45s} html {h50:7.2f} {h95:7.2f}   api {a50:7.2f} {a95:7.2f}   Δp95 {a95 - h95:+6.2f}")
    token = bearer_for(app, facts.admin_id)
    with app.app_context():
        db.engine.dispose()
    rps = throughput(args, facts, token)
    print(f"\nGET /api/v1/accounts/{{id}}/ under gunicorn ({args.workers} workers, {args.clients} clients): {rps}")
    line = {
        "bench": "api",
        "rows": args.rows,
        "max_p95_delta_ms": round(worst, 2),
        "within_budget": worst <= BUDGET_MS,
        "detail_throughput": rps,
        "machine": {"select_1_ms_before": before, "select_1_ms_after": pgdb.round_trip_ms(args.database_url)},
    }
    if not args.keep:
        pgdb.drop_database(args.database_url)
    print(json.dumps(line))


if __name__ == "__main__":
    main()
