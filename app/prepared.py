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
past ``MAX_PER_CONNECTION`` the connection drops them all and starts again. Should the server lose them behind
our back (``DISCARD ALL`` from a pooler), the statement that finds one missing fails and the connection
forgets what it held, so the next one prepares again.

SQL-level ``PREPARE`` needs the same server session across transactions: behind a transaction-mode pooler
(pgbouncer ``pool_mode = transaction``) set ``DATABASE_PREPARED_STATEMENTS=false``. Elsewhere (SQLite) the
option is ignored.
"""

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable

OPTION = "prepared"
HELD = "prepared_statements"  # key of the connection's info: {statement: its EXECUTE form}
# An admin's worklist statement and its generic plan hold ~150 kB of the server process's memory: at most
# ~10 MB per connection.
MAX_PER_CONNECTION = 64
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
    return f"{GENERIC_PLANS}; {execute_form(conn.connection.info, cursor, statement)}", parameters


def _forget_if_lost(context) -> None:
    if getattr(context.original_exception, "pgcode", None) == MISSING and context.connection is not None:
        context.connection.connection.info.pop(HELD, None)


def execute_form(info: dict, cursor, statement: str) -> str:
    """``EXECUTE name(%(a)s, …)`` running ``statement`` (psycopg2's pyformat) on the cursor's connection,
    whose pool-entry ``info`` records what it has prepared; prepares it there first if needed."""
    held = info.setdefault(HELD, {})
    if statement not in held:
        if len(held) >= MAX_PER_CONNECTION:
            cursor.execute("DEALLOCATE ALL")
            held.clear()
        held[statement] = _prepare(cursor, statement, f"df_prepared_{len(held)}")
    return held[statement]


def _prepare(cursor, statement: str, name: str) -> str:
    names: list[str] = []

    def numbered(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    body = PLACEHOLDER.sub(numbered, statement).replace("%%", "%")
    cursor.execute(f"PREPARE {name} AS {body}")
    return f"EXECUTE {name}({', '.join(f'%({n})s' for n in names)})"
