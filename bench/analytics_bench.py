"""Analytics benchmark on PostgreSQL: 1,000,000 accounts and 2,000,000 payments, then time every analytics page.

    .venv/bin/python bench/analytics_bench.py [--accounts 1000000] [--payments 2000000] [--database-url URL]

Data is loaded with set-based SQL (generate_series) into a throw-away database built by the real migrations:
50 collectors, accounts in every status with due dates spread over two years (5 % without), payments over
the last 180 days (5 % partly refunded, 1 % fully), an assignment on each assigned account's timeline,
notes, settlements and 300 import jobs. The inserts go through the rollup triggers (migrations 0004 and 0006),
so the seed time includes keeping the rollups, as for any bulk writer. Each page or fragment is requested through
the app (signed in as the agency admin) ``--repeat`` times after one warm-up; the median server time is reported.
Ends with one JSON line.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import pgdb  # noqa: E402

COLLECTORS = 50
SEED_SQL = """
INSERT INTO agencies (name, slug, timezone, currency, created_at)
  VALUES ('Bench Agency', 'bench', 'America/New_York', 'USD', now());
UPDATE agencies SET mfa_required = false;  -- the bench signs in with a password alone, as in the demo
INSERT INTO users (agency_id, username, email, full_name, role, password_hash, active, created_at)
  VALUES (1, 'bench.admin', 'admin@bench.test', 'Bench Admin', 'admin', %(hash)s, true, now());
INSERT INTO users (agency_id, username, email, full_name, role, password_hash, active, created_at)
  SELECT 1, 'collector' || g, 'c' || g || '@bench.test', 'Collector ' || lpad(g::text, 2, '0'), 'collector',
         %(hash)s, true, now()
  FROM generate_series(1, {collectors}) g;
INSERT INTO collector_profiles (user_id, agency_id, commission_rate, max_open_accounts, active)
  SELECT id, 1, 0.1, 100000, true FROM users WHERE role = 'collector';
INSERT INTO debtors (agency_id, full_name, email, created_at, updated_at)
  SELECT 1, 'Debtor ' || g, 'd' || g || '@bench.test', now(), now() FROM generate_series(1, {accounts}) g;
INSERT INTO accounts (agency_id, debtor_id, external_ref, original_amount, current_balance, status, priority, due_date,
                      assigned_collector_id, search_text, created_at, updated_at)
  SELECT 1, g, 'BENCH-' || lpad(g::text, 8, '0'), 100 + (g %% 4900), (100 + (g %% 4900)) * ((g %% 10) / 10.0),
         (ARRAY['new','assigned','in_contact','negotiating','payment_plan','settled','closed','disputed'])[1 + g %% 8],
         g %% 4, CASE WHEN g %% 20 = 0 THEN NULL ELSE current_date - (g %% 730) + 60 END,
         CASE WHEN g %% 8 = 0 THEN NULL ELSE 2 + g %% {collectors} END,
         'bench-' || lpad(g::text, 8, '0') || ' debtor ' || g, now() - (g %% 700) * interval '1 day', now()
  FROM generate_series(1, {accounts}) g;
INSERT INTO payments (agency_id, account_id, amount, currency, method, status, reference, idempotency_key,
                      failure_reason, refunded_amount, collector_id, commission_rate, commission_amount,
                      commission_reversed, created_at, completed_at, updated_at)
  SELECT 1, 1 + (g::bigint * 7919) %% {accounts}, 20 + g %% 480, 'USD', 'check',
         CASE WHEN g %% 100 = 0 THEN 'refunded' WHEN g %% 20 = 0 THEN 'partially_refunded' ELSE 'completed' END,
         '', 'bench-' || g, '',
         CASE WHEN g %% 100 = 0 THEN 20 + g %% 480 WHEN g %% 20 = 0 THEN 10 ELSE 0 END,
         2 + g %% {collectors}, 0.1, (20 + g %% 480) * 0.1, CASE WHEN g %% 20 = 0 THEN 1 ELSE 0 END,
         now() - (g %% 259200) * interval '1 minute', now() - (g %% 259200) * interval '1 minute', now()
  FROM generate_series(1, {payments}) g;
INSERT INTO activities (agency_id, account_id, actor_id, kind, body, details, created_at)
  SELECT 1, id, 1, 'assignment', 'Assigned', json_build_object('old', NULL, 'new', assigned_collector_id),
         now() - (id %% 400) * interval '1 day' FROM accounts WHERE assigned_collector_id IS NOT NULL;
INSERT INTO activities (agency_id, account_id, actor_id, kind, body, details, created_at)
  SELECT 1, id, assigned_collector_id, 'note', 'called', '{{}}', now() - (id %% 300) * interval '1 day'
  FROM accounts WHERE assigned_collector_id IS NOT NULL AND id %% 2 = 0;
INSERT INTO activities (agency_id, account_id, actor_id, kind, body, details, created_at)
  SELECT 1, id, 1, 'status_change', 'Settled', '{{"old": "negotiating", "new": "settled"}}',
         now() - (id %% 200) * interval '1 day'
  FROM accounts WHERE status = 'settled';
INSERT INTO import_jobs (agency_id, file_name, sha256, size_bytes, stored_path, status, trigger, total_lines,
                         lines_done, total, ok, created, updated, errors, unknown_columns, message,
                         attempts, history, created_at)
  SELECT 1, 'file' || g || '.csv', md5(g::text) || md5(g::text), 0, '', 'completed_with_errors', '', 1000, 1000,
         1000, 990, 990, 0, 10, '[]', '', 1, '[]', now() - g * interval '6 hours' FROM generate_series(1, 300) g;
ANALYZE;
"""
PAGES = [
    ("dashboard_frame", "/analytics/", False),
    ("figures", "/analytics/figures", True),
    ("trend_day_30d", "/analytics/trend?granularity=day", True),
    ("trend_week_12w", "/analytics/trend?granularity=week", True),
    ("trend_month_12m", "/analytics/trend?granularity=month", True),
    ("aging", "/analytics/aging", True),
    ("collectors_30d", "/analytics/collectors", True),
    ("aging_drilldown_list", "/accounts/?aging=31_60", False),
    ("accounts_list_baseline", "/accounts/", False),
]


def seed(db_url: str, accounts: int, payments: int) -> float:
    from werkzeug.security import generate_password_hash

    started = time.perf_counter()
    conn = pgdb.pg_connect(db_url)
    # A client-side cursor binds the parameters itself, so the seed's many statements go as one text.
    with conn, psycopg.ClientCursor(conn) as cur:
        cur.execute("SET jit = off")
        sql = SEED_SQL.format(accounts=accounts, payments=payments, collectors=COLLECTORS)
        cur.execute(sql, {"hash": generate_password_hash("Bench-password-1")})
    conn.close()
    return time.perf_counter() - started


def measure(app, repeat: int) -> dict:
    """Median server time (ms) of each page, through the WSGI app with a signed-in admin."""
    client = app.test_client()
    login = client.post("/login", data={"username": "bench.admin", "password": "Bench-password-1"})
    assert login.status_code == 303, login.status_code
    timings = {}
    for name, url, htmx in PAGES:
        headers = {"HX-Request": "true"} if htmx else {}
        samples = []
        for i in range(repeat + 1):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i:  # the first request warms caches
                samples.append(elapsed)
        timings[name] = round(statistics.median(samples), 1)
        print(f"{name:22s} {timings[name]:8.1f} ms  {url}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()
    from flask_migrate import upgrade

    from app import create_app
    from app.config import test_config

    db_url = pgdb.create_database(args.database_url, "debtflow_abench")
    try:
        config = test_config(db_url)
        config["WTF_CSRF_ENABLED"] = False
        app = create_app(config)
        with app.app_context():
            upgrade()
        seconds = seed(db_url, args.accounts, args.payments)
        print(f"seeded {args.accounts:,} accounts and {args.payments:,} payments in {seconds:.0f} s")
        with app.app_context():
            timings = measure(app, args.repeat)
    finally:
        if args.keep:
            print("kept", db_url)
        else:
            pgdb.drop_database(db_url)
    print(json.dumps({"bench": "analytics", "accounts": args.accounts, "payments": args.payments, **timings}))


if __name__ == "__main__":
    main()
