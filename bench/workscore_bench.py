"""Work-score bench: a collector's worklist in work-score order at 1,000,000 accounts, against index walks.

Loads (or with ``--keep`` reuses) the worklist bench's database, then gives one extra collector of the big agency
``--holding`` open accounts taken from the other collectors (spread over the table, a tenth with a follow-up
due around today), and times, in one sitting and interleaved (``worklist_bench.timed``): ``list_accounts`` and
its SQL alone for that collector by work score, the same collector's open accounts by priority (an index walk:
the anchor), the bench's usual collector (tens of thousands of open accounts) by work score, and an admin by
work score with that collector's filter. ``--admin`` adds an admin's whole agency by work score (seconds; not a
promise). Prints the figures, the plan of the main case, and one JSON line.

    .venv/bin/python bench/workscore_bench.py --keep
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pgdb  # noqa: E402
from bench import worklist_data as data  # noqa: E402
from bench.pgdb import pg_connect  # noqa: E402
from bench.worklist_bench import explain, measure_queries, prepare  # noqa: E402
from bench.worklist_cases import Case  # noqa: E402
from bench.worklist_sql import captured_sql, run_sql  # noqa: E402

USERNAME = "bench-score-collector"
OPEN = ("new", "assigned", "in_contact", "negotiating", "payment_plan", "disputed")
SCORE = {"open_only": True, "sort": "score", "direction": "desc"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/debtflow_wlbench")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database of this size")
    parser.add_argument("--holding", type=int, default=5000, help="open accounts of the work-score collector")
    parser.add_argument("--cpu-runs", type=int, default=200, help="runs per case for the backend's CPU time")
    parser.add_argument("--admin", action="store_true", help="also time an admin's whole agency by work score")
    args = parser.parse_args(argv)
    args.search_statistics, args.explain = -1, 0  # what worklist_bench.prepare reads
    return args


def give_accounts(url: str, agency_id: int, holding: int, spared: int) -> int:
    """The work-score collector (created once) holding exactly ``holding`` open accounts, a tenth of them with a
    follow-up due between three days ago and three days ahead; returns the collector's id."""
    conn = pg_connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (USERNAME,))
        row = cur.fetchone()
        collector = row[0] if row else _create_collector(cur, agency_id)
        cur.execute(
            "SELECT count(*) FROM accounts WHERE assigned_collector_id = %s AND status = ANY(%s)",
            (collector, list(OPEN)),
        )
        missing = holding - cur.fetchone()[0]
        if missing > 0:
            cur.execute(
                "UPDATE accounts SET assigned_collector_id = %(c)s, next_follow_up_at = CASE WHEN id %% 10 = 0 "
                "THEN now() + (id %% 7 - 3) * interval '1 day' END WHERE id IN (SELECT id FROM accounts "
                "WHERE agency_id = %(a)s AND status = ANY(%(open)s) AND assigned_collector_id NOT IN (%(c)s, %(s)s) "
                "AND id %% 97 = 0 ORDER BY id LIMIT %(n)s)",
                dict(c=collector, a=agency_id, open=list(OPEN), s=spared, n=missing),
            )
    vacuum = pg_connect(url)  # the visibility map and statistics as after a real day's autovacuum
    vacuum.autocommit = True
    vacuum.execute("VACUUM ANALYZE accounts")
    vacuum.close()
    return collector


def _create_collector(cur, agency_id: int) -> int:
    cur.execute(
        "INSERT INTO users (agency_id, username, email, full_name, role, password_hash, active, created_at) "
        "SELECT agency_id, %s, 'score@agency.test', 'Score Collector', 'collector', password_hash, true, now() "
        "FROM users WHERE agency_id = %s AND role = 'admin' LIMIT 1 RETURNING id",
        (USERNAME, agency_id),
    )
    collector = cur.fetchone()[0]
    cur.execute(
        "INSERT INTO collector_profiles (user_id, agency_id, commission_rate, max_open_accounts, active) "
        "VALUES (%s, %s, 0.1, 100000, true)",
        (collector, agency_id),
    )
    return collector


def cases(score_collector: int) -> dict[str, list]:
    """Per viewer, the cases timed in one interleaved sitting."""
    return {
        "score_collector": [
            Case("open/score_desc", SCORE),
            Case("open/priority_desc", {"open_only": True, "sort": "priority"}),
            Case("open+priority3/score_desc", {**SCORE, "priority": 3}),
            Case("open+q/score_desc", {**SCORE, "q": "smith"}),
        ],
        "bench_collector": [Case("open/score_desc", SCORE), Case("open/priority_desc", {"open_only": True})],
        "admin": [Case("open+collector/score_desc", {**SCORE, "collector_id": score_collector})],
    }


def backend_cpu_ms(app, viewer_id: int, viewer_cases: list, runs: int = 200) -> dict[str, float]:
    """CPU time the PostgreSQL backend spends per run of each case's SQL (user + system, from ``/proc``; the
    server must run on this machine), interleaved: unlike wall time it hardly moves with other work on a shared
    machine, so it tells what the query costs when the machine is loaded."""
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        viewer = db.session.get(User, viewer_id)
        statements = {c.name: captured_sql(viewer, c) for c in viewer_cases}
        conn = db.engine.raw_connection()
        try:
            cursor = conn.driver_connection.cursor()
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            spent = dict.fromkeys(statements, 0.0)
            for _ in range(runs):
                for name, statement in statements.items():
                    started = _cpu_seconds(pid)
                    run_sql(cursor, statement)
                    spent[name] += _cpu_seconds(pid) - started
            return {name: round(seconds * 1000 / runs, 3) for name, seconds in spent.items()}
        finally:
            conn.rollback()
            conn.close()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def run(args: argparse.Namespace) -> dict:
    app, load_seconds = prepare(args)
    facts = data.read_facts(args.database_url, args.rows)
    score_collector = give_accounts(args.database_url, facts.agency_id, args.holding, facts.collector_id)
    viewers = {"score_collector": score_collector, "bench_collector": facts.collector_id, "admin": facts.admin_id}
    all_cases = cases(score_collector)
    if args.admin:
        all_cases["admin"].append(Case("open/score_desc", SCORE))
    before = pgdb.round_trip_ms(args.database_url)
    results = {}
    for viewer, viewer_cases in all_cases.items():
        repeat = 3 if viewer == "admin" and args.admin else args.repeat
        calls, sql = measure_queries(app, viewers[viewer], viewer_cases, repeat)
        for case in viewer_cases:
            results[f"{viewer}:{case.name}"] = {"query_ms": calls[case.name], "sql_ms": sql[case.name]}
    cpu = backend_cpu_ms(app, score_collector, all_cases["score_collector"][:2], args.cpu_runs)
    machine = {"select_1_ms_before": before, "select_1_ms_after": pgdb.round_trip_ms(args.database_url)}
    plan = explain(app, args.database_url, score_collector, all_cases["score_collector"][0])
    result = dict(rows=args.rows, holding=args.holding, load_seconds=load_seconds, cases=results, machine=machine)
    result |= {"backend_cpu_ms": cpu, "loadavg": os.getloadavg()}
    return result, plan


def main(argv=None) -> int:
    args = parse_args(argv)
    result, plan = run(args)
    for name, figures in result["cases"].items():
        print(f"{name:45} list_accounts p50/p95 {figures['query_ms']} ms   SQL {figures['sql_ms']} ms")
    print(f"backend CPU per query, ms: {result['backend_cpu_ms']}")
    print(plan)
    main_case = result["cases"]["score_collector:open/score_desc"]
    result["within_budget"] = main_case["sql_ms"][1] < 10 and main_case["query_ms"][1] < 10
    print(json.dumps(result))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
