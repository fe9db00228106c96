"""The worklist bench's view of the SQL itself: what ``list_accounts`` sends, sent again alone exactly as the
app sends it, and its plans as the app gets them.

A statement the app marks ``generic`` (``app.pg.prepare``) runs prepared with a generic plan, one marked
``agency_filtered`` as the reader role (``app.pg.rls``); the bench runs each through the same ``execute_marked``
on a raw psycopg cursor. PostgreSQL 15 has no ``EXPLAIN (GENERIC_PLAN)``,
so ``explain`` lets psycopg prepare the statement as the app does (same text, same parameter types), then
explains an ``EXECUTE`` of it under ``force_generic_plan`` with the values as literals.
"""

import re

import psycopg
from sqlalchemy import event

from app.accounts.queries import list_accounts
from app.accounts.search_sample import SAMPLES
from app.auth.models import User
from app.extensions import db
from app.pg import rls
from app.pg.prepare import GENERIC_PLANS, OPTION, execute_generic, execute_marked
from bench.pgdb import pg_connect
from bench.worklist_cases import Case

EXPLAIN = "EXPLAIN (ANALYZE, BUFFERS) "
PLACEHOLDER = re.compile(r"(?<!%)%\((\w+)\)s")  # SQLAlchemy's pyformat placeholders, as psycopg reads them

Captured = list[tuple[str, dict, bool, bool]]  # (statement, parameters, with a generic plan, as the reader)


def captured_sql(viewer: User, case: Case, *, warm: bool = True) -> Captured:
    """The statements and parameters ``list_accounts`` sends on the accounts table for ``case`` (inside an app
    context), each with whether the app runs it prepared with a generic plan: the page's query; ``warm=False``:
    with no search sample in memory (the process's first search of the agency, or one after ``SAMPLE_TTL``),
    so a search first reads the sample."""
    captured = []
    SAMPLES.clear()
    if warm:
        list_accounts(viewer, case.filters(), 1, 25)

    def capture(conn, cursor, statement, parameters, context, executemany):
        options = context.execution_options
        captured.append((statement, parameters, bool(options.get(OPTION)), bool(options.get(rls.FILTERED))))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        list_accounts(viewer, case.filters(), 1, 25)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
        db.session.remove()
    return [c for c in captured if "FROM accounts" in c[0]]


def run_sql(cursor, statements: Captured) -> None:
    """Send ``statements`` on a raw psycopg cursor as the app does (marked ones through ``execute_marked``)."""
    for statement, parameters, generic, filtered in statements:
        if generic or filtered:
            execute_marked(cursor, statement, parameters, generic=generic, filtered=filtered)
        else:
            cursor.execute(statement, parameters)
        cursor.fetchall()


def explain(url: str, statements: Captured, agency_id: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of ``statements`` on a connection of their own, scoped to ``agency_id``, each
    with the plan the app gets: generic for those it prepares so, custom for the others, as the reader for those
    it runs so."""
    plans = []
    with pg_connect(url) as conn:
        for statement, parameters, generic, filtered in statements:
            scope(conn, agency_id)
            if filtered:
                conn.execute(f"SELECT {rls.ENTER_READER}")
            rows = _explain_generic(conn, statement, parameters) if generic else _explain(conn, statement, parameters)
            plans.append("\n".join(r[0] for r in rows))
            conn.rollback()
    return "\n--\n".join(plans)


def scope(conn, agency_id: int) -> None:
    """Scope ``conn``'s transaction to ``agency_id`` (row-level security), as the app scopes a request's."""
    conn.execute(f"SELECT set_config('{rls.SETTING}', %s, true)", [str(agency_id)])  # noqa: S608 (a constant)


def _explain(conn, statement: str, parameters: dict) -> list:
    return conn.execute(EXPLAIN + statement, parameters).fetchall()


def _explain_generic(conn, statement: str, parameters: dict) -> list:
    """The generic plan of ``statement`` as psycopg prepares it (the connection's only prepared statement)."""
    cursor = conn.cursor()
    execute_generic(cursor, statement, parameters)
    [(name, types)] = conn.execute(
        "SELECT name, parameter_types FROM pg_prepared_statements WHERE NOT from_sql"
    ).fetchall()
    literals = [_literal(conn, parameters[name]) for name in _placeholder_names(statement)]
    assert len(literals) == len(types), f"{len(literals)} values for {len(types)} parameters of {name}"
    conn.execute(GENERIC_PLANS)
    return conn.execute(f"{EXPLAIN}EXECUTE {name} ({', '.join(literals)})").fetchall()  # no parameters: no % escapes


def _placeholder_names(statement: str) -> list[str]:
    """The parameters' names in the order of their ``$n`` numbers: psycopg numbers each name where it first
    appears and reuses its number after that."""
    return list(dict.fromkeys(PLACEHOLDER.findall(statement)))


def _literal(conn, value) -> str:
    return psycopg.ClientCursor(conn).mogrify("%s", [value])
