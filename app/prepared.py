"""Server-side prepared statements with generic plans, for the hottest reads on PostgreSQL (the worklist page).

PostgreSQL spends about 1 ms planning an admin's worklist statement (eight ``UNION ALL`` walks and three
name look-ups), more than it spends running it. A statement run with ``prepared(stmt)`` is instead
``PREPARE``-d once on each database connection and then run as ``EXECUTE`` with a generic plan
(``plan_cache_mode = force_generic_plan``, set for the rest of that transaction only): planned once per
connection, whatever the parameters. That is safe only for statements whose best plan doesn't depend on the
values bound; the worklist's shapes are written that way (``app.accounts.worklist``) and
``bench/worklist_bench.py`` measures every filter through this path.

psycopg2 has no protocol-level prepare, so this is done in SQL: a ``before_cursor_execute`` hook rewrites
the compiled statement (``%(name)s`` placeholders) into ``$n`` ones for ``PREPARE`` and sends
``EXECUTE name(%(name)s, …)`` with the same parameters, so SQLAlchemy binds and reads rows as usual. Which
statements a connection holds is kept in its pool entry's ``info`` (it lives and dies with the connection);
past ``MAX_PER_CONNECTION`` the least recently used is deallocated. Should the server lose them behind
our back (``DISCARD ALL`` from a pooler), the statement that finds one missing fails and the connection
forgets what it held, so the next one prepares again.

SQL-level ``PREPARE`` needs the same server session across transactions: behind a transaction-mode pooler
(pgbouncer ``pool_mode = transaction``) set ``DATABASE_PREPARED_STATEMENTS=false``. Elsewhere (SQLite) the
option is ignored.
"""

import itertools
import re
from collections import OrderedDict

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable

OPTION = "prepared"
HELD = "prepared_statements"  # key of the connection's info: {statement: (name, EXECUTE form)}, least recent first
# Each statement and its generic plan hold server memory: ~250 kB for an admin's worklist statement (eight
# walks), ~100 kB for a collector's. The least recently used goes past this many: at most ~32 MB a connection.
MAX_PER_CONNECTION = 128
NAMES = itertools.count()  # process-wide, so a name is never reused, even after a connection forgets
MISSING = "26000"  # PostgreSQL's invalid_sql_statement_name: "prepared statement … does not exist"
GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def prepared(stmt: Executable) -> Executable:
    """``stmt``, marked to run as a prepared statement with a generic plan where the engine supports it."""
    return stmt.execution_options(**{OPTION: True})


def install(engine: Engine) -> None:
    """Run statements marked by ``prepared`` as prepared statements on this (PostgreSQL) engine."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "before_cursor_execute", _rewrite, retval=True)
        event.listen(engine, "handle_error", _forget_if_lost)


def _rewrite(conn, cursor, statement, parameters, context, executemany):
    if executemany or context is None or not context.execution_options.get(OPTION):
        return statement, parameters
    return as_sent(conn.connection.info, cursor, statement), parameters


def as_sent(info: dict, cursor, statement: str, prefix: str = "") -> str:
    """What is sent for ``statement``: generic plans for this transaction, then its ``EXECUTE`` (after
    ``prefix``, say ``EXPLAIN ANALYZE``), preparing it on the cursor's connection first if needed."""
    return f"{GENERIC_PLANS}; {prefix}{execute_form(info, cursor, statement)}"


def _forget_if_lost(context) -> None:
    if getattr(context.original_exception, "pgcode", None) == MISSING and context.connection is not None:
        context.connection.connection.info.pop(HELD, None)


def execute_form(info: dict, cursor, statement: str) -> str:
    """``EXECUTE name(%(a)s, …)`` running ``statement`` (psycopg2's pyformat) on the cursor's connection,
    whose pool-entry ``info`` records what it has prepared; prepares it there first if needed."""
    held = info.setdefault(HELD, OrderedDict())
    if statement in held:
        held.move_to_end(statement)
    else:
        while len(held) >= MAX_PER_CONNECTION:
            _, (oldest, _) = held.popitem(last=False)
            cursor.execute(f"DEALLOCATE {oldest}")
        name = f"df_prepared_{next(NAMES)}"
        held[statement] = name, _prepare(cursor, statement, name)
    return held[statement][1]


def _prepare(cursor, statement: str, name: str) -> str:
    names: list[str] = []

    def numbered(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    body = PLACEHOLDER.sub(numbered, statement).replace("%%", "%")
    cursor.execute(f"PREPARE {name} AS {body}")
    return f"EXECUTE {name}({', '.join(f'%({n})s' for n in names)})"
