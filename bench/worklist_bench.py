"""Worklist bench: load N synthetic accounts into PostgreSQL, then time the worklist query and pages.

    .venv/bin/python bench/worklist_bench.py --rows 1000000 --repeat 30 [--keep]

Times the app's own code: ``list_accounts`` for an admin and a collector over every filter x sort, and
the Flask test client's GET of the worklist pages and the account page, logged in through /login.
Prints tables, EXPLAIN (ANALYZE, BUFFERS) of the slowest queries, and ends with one JSON line.
Budget at 1,000,000 accounts (DESIGN.md): every query p95 < 5 ms, every page p95 < 30 ms.
"""

import argparse
import itertools
import json
import math
import os
import re
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import inspect

from app import create_app, tenancy
from app.accounts.models import Account
from app.accounts.queries import list_accounts
from app.accounts.search_sample import SAMPLES
from app.auth.models import User
from app.config import test_config
from app.extensions import db
from bench import pgdb, worklist_sql
from bench import worklist_data as data
from bench.worklist_cases import Case, page_cases, query_cases
from bench.worklist_report import PAGE_BUDGET_MS, QUERY_BUDGET_MS, print_list, print_matrix, slowest
from bench.worklist_sql import captured_sql, run_sql

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="accounts in the big agency")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/debtflow_wlbench")
    parser.add_argument("--repeat", type=int, default=30, help="timed repetitions per case (after a warm-up)")
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database of this size; don't drop it")
    parser.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE this many slowest queries")
    parser.add_argument(
        "--search-statistics",
        type=int,
        default=-1,
        help="what-if: statistics target of account_search.search_text (not in the schema; -1, the default, is the "
        "server's default) set, with ANALYZE, before measuring",
    )
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace):
    """The app on a bench database holding ``--rows`` accounts, and the load time (None when reused)."""
    app, seconds = _loaded(args)
    data.sign_in_without_mfa(args.database_url)
    return app, seconds


def _loaded(args: argparse.Namespace):
    if args.keep and data.loaded_rows(args.database_url) == args.rows:
        app = make_app(args.database_url)
        with app.app_context():
            upgrade()  # later migrations (the tree moves on while a database is kept)
            db.engine.dispose()
        if indexes_match(app):
            print(f"reusing {args.database_url} ({args.rows:,} accounts)")
            data.set_search_statistics(args.database_url, args.search_statistics)
            return app, None
        print("index set differs from the models: reloading")
    data.recreate_database(args.database_url)
    app = make_app(args.database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    print(f"loading {args.rows:,} accounts ...", flush=True)
    seconds = data.load(args.database_url, args.rows)
    print(f"loaded in {seconds:.1f} s")
    data.set_search_statistics(args.database_url, args.search_statistics)
    return app, seconds


def make_app(url: str):
    app = create_app(test_config(url))
    app.logger.setLevel("WARNING")
    return app


def indexes_match(app) -> bool:
    """Whether the database's ``ix_accounts_*`` indexes are the ones the models declare (names and columns)."""
    with app.app_context():
        found = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("accounts")}
    wanted = {ix.name: [c.name for c in ix.columns] for ix in Account.__table__.indexes}
    return {name: cols for name, cols in found.items() if name.startswith("ix_accounts_")} == wanted


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) by nearest rank, in the samples' unit."""
    ordered = sorted(samples)
    return tuple(round(ordered[max(math.ceil(p * len(ordered)) - 1, 0)], 3) for p in (0.50, 0.95))


def timed(fns: dict, repeat: int, reset=None) -> dict[str, tuple[float, float]]:
    """(p50, p95) in ms of each of ``fns`` over ``repeat`` rounds, after a warm-up round.

    Rounds go through all the cases in turn, so a burst of load on the (shared) machine spreads over every
    case instead of landing on a few. ``reset`` runs untimed after each call.
    """
    samples = {name: [] for name in fns}
    for round_no in range(repeat + 1):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            if round_no:
                samples[name].append((time.perf_counter() - started) * 1000)
            if reset:
                reset()
    return {name: percentiles(values) for name, values in samples.items()}


def measure_queries(app, viewer_id: int, cases: list[Case], repeat: int, *, warm: bool = True) -> tuple[dict, dict]:
    """p50/p95 per case of ``list_accounts`` (page 1, 25 rows, a fresh session per call like a request)
    and of the SQL it sends, run alone on a raw connection (the query itself, without the ORM).

    ``warm=False``: with no search sample in memory before each call, as for the first search of an agency in
    a process (and again every ``SAMPLE_TTL`` seconds): a search then reads the sample first.
    """
    with app.app_context():
        viewer = db.session.get(User, viewer_id)
        viewer.agency  # noqa: B018  (load it before detaching: the aging filter reads the agency's time zone)
        tenancy.scope(viewer.agency_id)  # as a request is scoped (row-level security)
        db.session.expunge(viewer)
        calls = {c.name: partial(list_accounts, viewer, c.filters(), 1, 25) for c in cases}
        statements = {c.name: captured_sql(viewer, c, warm=warm) for c in cases}
        reset = db.session.remove if warm else partial(_forget_samples, db.session.remove)
        conn = db.engine.raw_connection()
        try:
            worklist_sql.scope(conn.driver_connection, viewer.agency_id)  # held: the transaction is never ended
            cursor = conn.driver_connection.cursor()
            sql = {name: partial(run_sql, cursor, statement) for name, statement in statements.items()}
            return timed(calls, repeat, reset), timed(sql, repeat)
        finally:
            conn.rollback()
            conn.close()


def _forget_samples(reset) -> None:
    SAMPLES.clear()
    reset()


def explain(app, url: str, viewer_id: int, case: Case) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the exact SQL that ``list_accounts`` sends for ``case``, with the plans the
    app gets (``worklist_sql.explain``)."""
    with app.app_context():
        viewer = db.session.get(User, viewer_id)
        tenancy.scope(viewer.agency_id)
        statements = captured_sql(viewer, case)
    return worklist_sql.explain(url, statements, viewer.agency_id)


def login(app, username: str):
    """A test client signed in through the real login form (CSRF token from the page's meta tag)."""
    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": username, "password": data.PASSWORD})
    assert response.status_code == 303, f"login of {username} failed: {response.status_code}"
    return client


def get_ok(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"


def measure_pages(app, username: str, path: str, cases: list[Case], account_ids: list[int], repeat: int) -> dict:
    """p50/p95 of the worklist page per case and of the account page (cycling over sample accounts)."""
    client = login(app, username)
    pages = {case.name: partial(get_ok, client, f"{path}?{case.query_string()}") for case in cases}
    ids = itertools.cycle(account_ids)
    pages["account_page"] = lambda: get_ok(client, f"/accounts/{next(ids)}")
    return timed(pages, repeat)


def run(args: argparse.Namespace) -> dict:
    app, load_seconds = prepare(args)
    facts = data.read_facts(args.database_url, args.rows)
    today = date.today()
    before = pgdb.round_trip_ms(args.database_url)
    calls, sql, cold = run_queries(app, facts, today, args)
    pages = run_pages(app, facts, today, args.repeat)
    machine = {"select_1_ms_before": before, "select_1_ms_after": pgdb.round_trip_ms(args.database_url)}
    return summary(args, load_seconds, calls, sql, pages) | {"cold_search_ms": cold, "machine": machine}


def run_queries(app, facts: data.Facts, today: date, args: argparse.Namespace) -> tuple[dict, dict, dict]:
    """Time every query case for both viewers (and the searches on a cold sample), print the matrices and
    EXPLAIN the slowest SQL."""
    viewers = {"admin": (facts.admin_id, True), "collector": (facts.collector_id, False)}
    cases = {v: query_cases(facts, admin, today) for v, (_, admin) in viewers.items()}
    calls, sql, cold = {}, {}, {}
    for viewer, (user_id, _) in viewers.items():
        calls[viewer], sql[viewer] = measure_queries(app, user_id, cases[viewer], args.repeat)
        print_matrix(f"{viewer} ({args.rows:,} accounts): list_accounts", calls[viewer])
        print_matrix(f"{viewer} ({args.rows:,} accounts): its SQL alone", sql[viewer])
        searches = [c for c in cases[viewer] if c.name.startswith("q_") and c.name.endswith("/priority_desc")]
        query, alone = measure_queries(app, user_id, searches, args.repeat, warm=False)
        cold[viewer] = dict(query=query, sql=alone)
        print(f"\n{viewer}: searches with no sample in memory (the first of the agency in a process), p95 ms")
        print_list("list_accounts", query)
        print_list("its SQL alone (sample, then page)", alone)
    by_name = {(v, c.name): c for v, vc in cases.items() for c in vc}
    for viewer, name, p95 in slowest(sql, args.explain):
        plan = explain(app, args.database_url, viewers[viewer][0], by_name[viewer, name])
        print(f"\nEXPLAIN {viewer} {name} (SQL p95 {p95:.2f} ms):\n{plan}")
    return calls, sql, cold


def run_pages(app, facts: data.Facts, today: date, repeat: int) -> dict:
    """Time the worklist pages and the account page for both viewers and print them."""
    pages = {
        "admin": measure_pages(
            app, facts.admin_username, "/accounts/", page_cases(facts, True, today), facts.admin_accounts, repeat
        ),
        "collector": measure_pages(
            app,
            facts.collector_username,
            "/worklist",
            page_cases(facts, False, today),
            facts.collector_accounts,
            repeat,
        ),
    }
    for viewer, results in pages.items():
        print(f"\n{viewer} pages: server time ms ('*' >= {PAGE_BUDGET_MS} ms)")
        print_list("GET", results, PAGE_BUDGET_MS)
    return pages


def summary(args, load_seconds, calls: dict, sql: dict, pages: dict) -> dict:
    def worst(results: dict) -> float:
        return max(p95 for cases in results.values() for _, p95 in cases.values())

    def table(results: dict) -> dict:
        return {v: {k: list(p) for k, p in cases.items()} for v, cases in results.items()}

    return {
        "bench": "worklist",
        "rows": args.rows,
        "repeat": args.repeat,
        "load_seconds": round(load_seconds, 1) if load_seconds is not None else None,
        "query_max_p95_ms": worst(calls),
        "sql_max_p95_ms": worst(sql),
        "page_max_p95_ms": worst(pages),
        # The budget's "worklist query itself": the SQL, warm. list_accounts adds the ORM and the pool's ping.
        "within_budget": worst(sql) < QUERY_BUDGET_MS and worst(pages) < PAGE_BUDGET_MS,
        "list_accounts_within_5ms": worst(calls) < QUERY_BUDGET_MS,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "search_statistics": args.search_statistics,
        "query_ms": table(calls),
        "sql_ms": table(sql),
        "page_ms": table(pages),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        figures = run(args)
    finally:
        if not args.keep:
            data.recreate_database(args.database_url, drop_only=True)
    print(
        f"\nmax p95: list_accounts {figures['query_max_p95_ms']} ms (its SQL {figures['sql_max_p95_ms']} ms), "
        f"page {figures['page_max_p95_ms']} ms; loadavg {figures['loadavg']}; SELECT 1 {figures['machine']}"
    )
    print(json.dumps(figures, separators=(",", ":")))
    return 0 if figures["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
