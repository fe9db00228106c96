"""What PostgreSQL alone needs for a first import, with the data model as it is and with parts taken away.

    .venv/bin/python bench/import_floor.py --rows 100000 [--database-url postgresql://postgres@127.0.0.1/postgres]

For each variant: a fresh database built by the real migrations, then, in one session, batches of 5,000
already-valid rows COPied into the importer's staging table and inserted by the importer's own statements
(``statements.new_rows``: debtors, accounts, import entries) under its batch settings, one commit per batch.
No file, no validation, no Python between the statements, no second connection: the time is the database's
share of a first import and nothing else. The variants take away, one at a time, what the first-import budget
would have to give up (docs/performance.md). Prints a line per variant, then one JSON line.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app.imports.services import statements  # noqa: E402
from app.pg import imports as pg_imports  # noqa: E402
from bench import import_bench, pgdb  # noqa: E402

BATCH = 5000
VARIANTS = {  # name: (drop the worklist and search indexes, insert the import entries, keep the foreign keys)
    "data model as it is": (False, True, True),
    "without the worklist and search indexes": (True, True, True),
    "  and without the import entries": (True, False, True),
    "  and without foreign keys": (True, False, False),
}
PARAMS = {"ag": 1, "job": 1, "now": "2026-12-03T00:00:00Z", "body": "Imported from bench.csv"}


def staged_lines(rows: int) -> list[str]:
    """One CSV line per new account, in ``statements.COLUMNS`` order (ids given up front, as the importer does)."""
    lines = []
    for i in range(1, rows + 1):
        email = f"james.smith.{i}@example.com"
        lines.append(
            f"{i},t,f,{i},{i},BENCH-{i:08d},,James Smith,{email},555-0100,,,,,,,{100 + i % 900}.25,2026-01-02,"
            f"Metro Health,credit_card,bench-{i:08d} james smith {email},{i:016x},\n"
        )
    return lines


def driver_sql(statement: str) -> str:
    """The importer's statement as psycopg takes it (SQLAlchemy's own compiler turns ``:name`` into
    ``%(name)s``)."""
    return str(text(statement).compile(dialect=psycopg.dialect()))


def measure(db_url: str, lines: list[str], entries: bool, keys: bool) -> float:
    conn = pgdb.pg_connect(db_url)
    with conn.cursor() as cur:
        if not keys:
            cur.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                        "AND conrelid::regclass::text IN ('accounts', 'debtors', 'activities')")  # fmt: skip
            for table, name in cur.fetchall():
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cur.execute("INSERT INTO creditors (agency_id, name) VALUES (1, 'Metro Health')")
        cur.execute(pg_imports.create_staging_sql(statements.STAGING))
        conn.commit()
        steps = [driver_sql(s) for s in statements.new_rows(pg_imports)[: 3 if entries else 2]]
        copy = pg_imports.copy_sql(statements.STAGING)
        started = time.perf_counter()
        for start in range(0, len(lines), BATCH):
            cur.execute(pg_imports.BATCH_SETTINGS)
            with cur.copy(copy) as stream:
                stream.write("".join(lines[start : start + BATCH]))
            for statement in steps:
                cur.execute(statement, PARAMS)
            conn.commit()
        seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()
    lines, figures = staged_lines(args.rows), {}
    for name, (bare, entries, keys) in VARIANTS.items():
        db_url = pgdb.create_database(args.database_url, "debtflow_floor")
        try:
            import_bench.prepare(db_url, tempfile.mkdtemp(prefix="import-floor-"), bare)
            seconds = measure(db_url, lines, entries, keys)
        finally:
            pgdb.drop_database(db_url)
        figures[name.strip()] = round(seconds, 2)
        print(f"{name:42s} {seconds:6.2f} s  {args.rows / seconds:8,.0f} rows/s  (one session)")
    print(json.dumps({"rows": args.rows, "seconds": figures, "loadavg": [round(x, 2) for x in os.getloadavg()]}))


if __name__ == "__main__":
    main()
