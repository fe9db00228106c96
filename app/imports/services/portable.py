"""The import's fragments for SQLite (the embedded default): the same interface as :mod:`app.pg.imports`,
for the statements of :mod:`app.imports.services.statements`.
"""

from collections.abc import Iterator

from sqlalchemy import Table, bindparam, delete, func, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateTable

from app.extensions import db
from app.pg.imports import conflict_upsert


def json_object(pairs: str) -> str:
    return f"json_object({pairs})"


def amount_text(expr: str) -> str:
    """An amount as text with its two decimals (SQLite keeps numerics as floating point)."""
    return f"printf('%.2f', {expr})"


def among(column, values: list[str]):
    return column.in_(bindparam("refs", values, expanding=True))


def begin_batch() -> None:
    """Nothing to set: SQLite has no planner settings to pin."""


def load_staging(staging: Table, lines: list[list]) -> None:
    """Insert the lines (in the table's column order) into the staging table, creating it if needed."""
    db.session.execute(CreateTable(staging, if_not_exists=True))
    names = [c.name for c in staging.columns]
    db.session.execute(insert(staging), [dict(zip(names, line, strict=True)) for line in lines])


def clear_staging(staging: Table) -> None:
    db.session.execute(delete(staging))


def next_ids(table: Table, count: int) -> Iterator[int]:
    """The next ``count`` ids after the table's largest. Safe because a SQLite transaction begins
    ``IMMEDIATE`` (app.dbsetup): no other writer can insert until this batch commits."""
    if not count:
        return iter(())
    start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return iter(range(start + 1, start + 1 + count))


def upsert(table: Table, rows: list[dict], key: str, keep: tuple[str, ...] = ()) -> None:
    """Insert ``rows`` into ``table``, or update the row with the same ``key`` (as :func:`app.pg.imports.upsert`)."""
    conflict_upsert(sqlite.insert(table), rows, key, keep)
