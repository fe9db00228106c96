"""The import's PostgreSQL fragments: COPY into the staging table, ids from the sequences, the batch's
settings, the refs look-ups, the per-agency run lock. The rules are in :mod:`app.imports.services.apply`;
:mod:`app.imports.services.portable` is the same interface for SQLite.
"""

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Table, Text, any_, bindparam, func, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable

from app.extensions import db

# Per batch transaction: no JIT (its compile time outweighs these short statements); joins by index look-up
# whatever the planner guesses about a staging table loaded a moment ago; no parallel workers (a batch's
# look-up of its known accounts started two, whose start-up cost more than they saved, on cores the other
# writer and the reading thread need); commit without waiting for the WAL flush (a batch lost to a crash is
# redone on resume: its checkpoint is lost with it).
BATCH_SETTINGS = """SELECT set_config('jit', 'off', true), set_config('enable_hashjoin', 'off', true),
  set_config('enable_mergejoin', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),
  set_config('synchronous_commit', 'off', true)"""
# The refs go as one JSON text: the driver would otherwise adapt a list of thousands of strings one by one,
# holding the interpreter lock the reading thread needs.
FINGERPRINTS = (
    "SELECT external_ref, import_fingerprint FROM accounts WHERE agency_id = %s "
    "AND external_ref = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"
)
SEQUENCES: dict[str, str] = {}


def json_object(pairs: str) -> str:
    return f"json_build_object({pairs})"


def amount_text(expr: str) -> str:
    """An amount as text: numeric(12,2) prints its two decimals."""
    return f"CAST({expr} AS text)"


def among(column, values: list[str]):
    """``column`` is one of ``values``: one array parameter, so every batch size shares one prepared plan."""
    return column == any_(bindparam("refs", values, type_=postgresql.ARRAY(Text)))


def begin_batch() -> None:
    db.session.execute(text(BATCH_SETTINGS))


@cache
def create_staging_sql(staging: Table) -> str:
    """The staging table's DDL (also what the floor bench runs), compiled once, not at every batch."""
    return str(CreateTable(staging, if_not_exists=True).compile(dialect=postgresql.dialect()))


@cache
def copy_sql(staging: Table) -> str:
    return f"COPY {staging.name} ({', '.join(c.name for c in staging.columns)}) FROM STDIN WITH (FORMAT csv)"


def load_staging(staging: Table, lines: list[list]) -> None:
    """COPY the lines (in the table's column order) into the staging table, creating it if needed."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    db.session.execute(text(create_staging_sql(staging)))
    cursor = db.session.connection().connection.cursor()
    with cursor.copy(copy_sql(staging)) as copy:
        copy.write(buffer.getvalue())


def clear_staging(staging: Table) -> None:
    db.session.execute(text(f"TRUNCATE {staging.name}"))


def next_ids(table: Table, count: int) -> Iterator[int]:
    """``count`` ids from the table's sequence, so staged rows carry their ids before they are inserted."""
    if not count:
        return iter(())
    sequence = SEQUENCES.get(table.name)
    if sequence is None:
        sql = text("SELECT pg_get_serial_sequence(:table, 'id')")
        sequence = SEQUENCES[table.name] = db.session.scalar(sql, {"table": table.name})
    sql = text("SELECT nextval(CAST(:seq AS regclass)) FROM generate_series(1, :n)")
    return iter(db.session.scalars(sql, {"seq": sequence, "n": count}).all())


def fingerprints(agency_id: int, refs: list[str]) -> dict[str, str | None]:
    """Stored fingerprints by ref, through the driver's cursor: a re-import asks this for every row of the
    file, and building SQLAlchemy rows for them is a large share of its Python time. Through the
    (agency_id, external_ref) index, never a scan of the table, whatever the planner estimates (SET LOCAL:
    for this transaction only)."""
    cursor = db.session.connection().connection.cursor()
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute(FINGERPRINTS, (agency_id, json.dumps(refs)))
    return dict(cursor.fetchall())


@contextmanager
def advisory_lock(space: int, key: int) -> Iterator[None]:
    """Hold a transaction-level advisory lock on a connection of its own until the block ends (or the
    process dies)."""
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:space, :id)"), {"space": space, "id": key})
        yield


def advisory_lock_free(space: int, key: int) -> bool:
    """Whether nobody holds the advisory lock (taken for an instant on a connection of its own, then released)."""
    with db.engine.connect() as conn:
        free = conn.scalar(text("SELECT pg_try_advisory_xact_lock(:space, :id)"), {"space": space, "id": key})
        conn.rollback()
    return bool(free)


def upsert(table: Table, rows: list[dict], key: str, keep: tuple[str, ...] = ()) -> None:
    """Insert ``rows`` into ``table``, or update the row with the same ``key``; a ``keep`` column's NULL keeps the
    stored value."""
    conflict_upsert(postgresql.insert(table), rows, key, keep)


def conflict_upsert(stmt, rows: list[dict], key: str, keep: tuple[str, ...]) -> None:
    """The ON CONFLICT statement both dialects spell alike (their ``insert`` constructs share the interface)."""
    changes = {
        name: func.coalesce(stmt.excluded[name], stmt.table.c[name]) if name in keep else stmt.excluded[name]
        for name in rows[0]
        if name != key
    }
    db.session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=changes), rows)
