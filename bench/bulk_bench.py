"""Bulk distribution bench: 50,000 unassigned accounts distributed across 10 collectors in one operation.

    .venv/bin/python bench/bulk_bench.py [--rows 400000] [--accounts 50000] [--collectors 10] [--mode round_robin]

Loads the worklist bench's synthetic agency (``--rows`` accounts, 15% new and unassigned), marks ``--accounts``
of the unassigned ones P3 (the others P0), gives ``--collectors`` collectors room for them, then runs the app's
own ``submit_operation`` on the selection "status=new & collector=Unassigned & priority=3" (what "select all
matching these filters" sends) exactly as the background job does. Prints the time, the timeline and audit rows
written, the batches, and the machine figure (median ``SELECT 1``), then one JSON line.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import Activity
from app.audit.models import AuditEvent
from app.auth.models import User
from app.bulk import services
from app.bulk.selection import Selection
from app.config import test_config
from app.extensions import db
from bench import pgdb
from bench import worklist_data as data

SELECTION = "status=new&collector=0&priority=3"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=400_000, help="accounts in the agency (15%% new, unassigned)")
    parser.add_argument("--accounts", type=int, default=50_000, help="accounts distributed in the operation")
    parser.add_argument("--collectors", type=int, default=10, help="collectors chosen (the bench has 20)")
    parser.add_argument("--mode", default="round_robin", choices=("round_robin", "capacity"))
    parser.add_argument("--room", type=float, default=1.04, help="free capacity given, as a share of --accounts")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/debtflow_bulkbench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> tuple[int, list[int]]:
    """A loaded bench database with the selection and the collectors' room set; (admin id, collector ids)."""
    data.recreate_database(args.database_url)
    app = make_app(args.database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    print(f"loading {args.rows:,} accounts ...", flush=True)
    print(f"loaded in {data.load(args.database_url, args.rows):.1f} s", flush=True)
    conn = pgdb.pg_connect(args.database_url)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT id FROM agencies WHERE slug = 'bench-big'")
        agency = cur.fetchone()[0]
        cur.execute(MARK_SQL, dict(agency=agency, n=args.accounts))
        cur.execute("SELECT id FROM users WHERE agency_id = %s AND role = 'admin'", (agency,))
        admin = cur.fetchone()[0]
        cur.execute(COLLECTORS_SQL, dict(agency=agency, n=args.collectors))
        collectors = [r[0] for r in cur.fetchall()]
        room = int(args.accounts * args.room / args.collectors) + 1
        cur.execute(ROOM_SQL, dict(ids=collectors, room=room))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE accounts")
    conn.close()
    return admin, collectors


MARK_SQL = """
UPDATE accounts a SET priority = CASE WHEN m.rn <= %(n)s THEN 3 ELSE 0 END
FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM accounts
      WHERE agency_id = %(agency)s AND status = 'new' AND assigned_collector_id IS NULL) m
WHERE a.id = m.id
"""
COLLECTORS_SQL = "SELECT id FROM users WHERE agency_id = %(agency)s AND role = 'collector' ORDER BY id LIMIT %(n)s"
ROOM_SQL = """
UPDATE collector_profiles p SET max_open_accounts = o.open + %(room)s
FROM (SELECT u.id, count(a.id) AS open FROM users u
      LEFT JOIN accounts a ON a.assigned_collector_id = u.id AND a.status NOT IN ('settled', 'closed')
      WHERE u.id = ANY(%(ids)s) GROUP BY u.id) o
WHERE p.user_id = o.id
"""


def make_app(url: str):
    app = create_app(test_config(url))
    app.logger.setLevel("WARNING")
    return app


def measure(args: argparse.Namespace, admin_id: int, collector_ids: list[int]) -> dict:
    """Run the operation as the job does (inline: no threshold) and count what it wrote."""
    app = make_app(args.database_url)
    app.config["BULK_BACKGROUND_THRESHOLD"] = 10**9
    with app.app_context():
        before = counts()
        admin = db.session.get(User, admin_id)
        params = {"collector_ids": collector_ids, "mode": args.mode}
        started = time.perf_counter()
        operation = services.submit_operation("assign", Selection(query=SELECTION), params, actor=admin)
        seconds = time.perf_counter() - started
        after = counts()
        result = dict(
            accounts=operation.total,
            seconds=round(seconds, 2),
            accounts_per_second=round(operation.total / seconds),
            batches=-(-operation.total // services.BATCH_SIZE),
            timeline_rows=after["timeline"] - before["timeline"],
            audit_rows=after["audit"] - before["audit"],
            outcome=operation.message,
        )
        db.engine.dispose()
    return result


def counts() -> dict:
    return {
        "timeline": db.session.scalar(select(func.count(Activity.id))),
        "audit": db.session.scalar(select(func.count(AuditEvent.id))),
    }


def main() -> None:
    args = parse_args()
    admin_id, collector_ids = prepare(args)
    machine = pgdb.round_trip_ms(args.database_url)
    result = measure(args, admin_id, collector_ids)
    if not args.keep:
        data.recreate_database(args.database_url, drop_only=True)
    print(f"machine: SELECT 1 median {machine} ms")
    for key, value in result.items():
        print(f"  {key}: {value}")
    print(json.dumps(dict(bench="bulk", mode=args.mode, collectors=len(collector_ids), select1_ms=machine, **result)))


if __name__ == "__main__":
    main()
