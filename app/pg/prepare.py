"""Server-side prepared statements, through psycopg 3's own prepare, and generic plans for the worklist.

A statement marked with ``generic(stmt)`` is prepared by psycopg at its first run on a connection, which keeps
the ``PREPARED_MAX`` most recently used (it deallocates the rest); the connection's ``plan_cache_mode =
force_generic_plan``, set for its execution alone, makes it planned once, whatever the values bound. No other
statement is prepared. That suits only statements whose best plan doesn't depend on those
values; the worklist's shapes are written that way (``app.accounts.worklist``), and planning an admin's page
(several index walks) costs more than running it.

Behind a transaction-mode pooler (pgbouncer ``pool_mode = transaction``) a prepared statement may land on
another server session: ``DATABASE_PREPARED_STATEMENTS=false`` turns every prepare off. Should the server lose
a connection's statements behind psycopg's back (a ``DISCARD ALL``), the statement that finds one missing fails
and the connection is dropped from the pool, so the next checkout starts clean.
"""

import sys
from functools import cache

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable

from app.pg import rls

OPTION = "generic_plan"
# Only ``generic`` statements are prepared (psycopg prepares others once run this often: never, in effect), so
# every other statement keeps the custom plan an unnamed statement gets, as it would without this module.
NEVER = sys.maxsize
# Each statement and its plan hold server memory (the worklist's, with its walks, the most): this bounds it.
PREPARED_MAX = 128
MISSING = "26000"  # invalid_sql_statement_name: "prepared statement … does not exist"
# For the generic statement's execution only: a session-wide setting would reach the plans that PL/pgSQL keeps
# for the trigger functions too.
GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"
# The same as select-list terms, to go with the reader's (``app.pg.rls``) in one statement before and one after.
GENERIC_TERM = "set_config('plan_cache_mode', 'force_generic_plan', true)"
CUSTOM_TERM = "set_config('plan_cache_mode', 'auto', true)"


def generic(stmt: Executable) -> Executable:
    """``stmt``, marked to run prepared with a generic plan where prepared statements are on (PostgreSQL)."""
    return stmt.execution_options(**{OPTION: True})


def install(engine: Engine, *, enabled: bool) -> None:
    """Set this PostgreSQL engine's connections to prepare as configured; run ``generic`` statements so, and
    ``agency_filtered`` ones as the reader (``app.pg.rls``) whether prepared or not."""
    event.listen(engine, "connect", _limits if enabled else _off)
    event.listen(engine, "do_execute", _execute_marked)
    if enabled:
        event.listen(engine, "handle_error", _drop_if_lost)
        engine.dialect.do_rollback = _rollback_keeping_statements


def _limits(dbapi_connection, _record) -> None:
    dbapi_connection.prepare_threshold = NEVER
    dbapi_connection.prepared_max = PREPARED_MAX


def _off(dbapi_connection, _record) -> None:
    dbapi_connection.prepare_threshold = None


def execute_generic(cursor, statement: str, parameters, *, filtered: bool = False) -> None:
    """Execute ``statement`` on a psycopg cursor (of a connection set up by ``install``) as a prepared
    statement with a generic plan: prepared at its first run there, then planned no more. The setting is back
    to ``auto`` for whatever the transaction runs next. ``filtered``: as the reader (``rls.agency_filtered``)."""
    execute_marked(cursor, statement, parameters, generic=True, filtered=filtered)


def execute_marked(cursor, statement: str, parameters, *, generic: bool, filtered: bool) -> None:
    """Execute ``statement`` with a generic plan (prepared) and/or as the reader, then back to what was before."""
    connection = cursor.connection
    before, after = _settings(generic, filtered)
    # One round trip for the three: the settings cost no waiting of their own. (A failed statement aborts the
    # transaction, and the settings with it.)
    with connection.pipeline():
        connection.execute(before, prepare=False)
        cursor.execute(statement, parameters, prepare=generic)
        connection.execute(after, prepare=False)


@cache
def _settings(generic: bool, filtered: bool) -> tuple[str, str]:
    """The statement setting up a marked statement's execution, and the one putting things back after it."""
    before = [GENERIC_TERM] * generic + [rls.ENTER_READER] * filtered
    after = [rls.LEAVE_READER] * filtered + [CUSTOM_TERM] * generic
    return "SELECT " + ", ".join(before), "SELECT " + ", ".join(after)


def _execute_marked(cursor, statement, parameters, context) -> bool | None:
    options = context.execution_options
    generic = bool(options.get(OPTION)) and cursor.connection.prepare_threshold is not None
    filtered = bool(options.get(rls.FILTERED))
    if not (generic or filtered):
        return None  # SQLAlchemy executes it as usual
    execute_marked(cursor, statement, parameters, generic=generic, filtered=filtered)
    return True


def _rollback_keeping_statements(dbapi_connection) -> None:
    """Roll back without psycopg's ``rollback()``, which forgets (and deallocates) every prepared statement:
    every request ends in a rollback, so the worklist's statements would be prepared and planned anew each
    time. Only ``generic`` statements are prepared, and they name permanent tables only, so nothing a rolled
    back transaction created or dropped can make one stale."""
    pgconn = dbapi_connection.pgconn
    if pgconn.transaction_status == TransactionStatus.IDLE:
        return
    result = pgconn.exec_(b"ROLLBACK")
    if result.status != ExecStatus.COMMAND_OK:
        raise psycopg.OperationalError(pgconn.get_error_message().decode(errors="replace"))


def _drop_if_lost(context) -> None:
    if getattr(context.original_exception, "sqlstate", None) == MISSING:
        context.is_disconnect = True
