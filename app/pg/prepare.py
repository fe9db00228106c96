"""Server-side prepared statements, through psycopg 3's own prepare, and generic plans for the worklist.

psycopg prepares a statement on a connection once it has run ``PREPARE_THRESHOLD`` times there and keeps the
``PREPARED_MAX`` most recently used (it deallocates the rest). A statement marked with ``generic(stmt)`` is
prepared from its first run and executed with ``plan_cache_mode = force_generic_plan``: planned once per
connection, whatever the values bound. That suits only statements whose best plan doesn't depend on those
values; the worklist's shapes are written that way (``app.accounts.worklist``), and planning an admin's page
(several index walks) costs more than running it.

Behind a transaction-mode pooler (pgbouncer ``pool_mode = transaction``) a prepared statement may land on
another server session: ``DATABASE_PREPARED_STATEMENTS=false`` turns every prepare off. Should the server lose
a connection's statements behind psycopg's back (a ``DISCARD ALL``), the statement that finds one missing fails
and the connection is dropped from the pool, so the next checkout starts clean.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Executable

OPTION = "generic_plan"
PREPARE_THRESHOLD = 5  # psycopg's default: statements run this often on a connection are worth preparing
# Each statement and its plan hold server memory (the worklist's, with its walks, the most): this bounds it.
PREPARED_MAX = 128
MISSING = "26000"  # invalid_sql_statement_name: "prepared statement … does not exist"
GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"
CUSTOM_PLANS = "SET LOCAL plan_cache_mode = auto"


def generic(stmt: Executable) -> Executable:
    """``stmt``, marked to run prepared with a generic plan where prepared statements are on (PostgreSQL)."""
    return stmt.execution_options(**{OPTION: True})


def install(engine: Engine, *, enabled: bool) -> None:
    """Set this PostgreSQL engine's connections to prepare as configured; run ``generic`` statements so."""
    event.listen(engine, "connect", _limits if enabled else _off)
    if enabled:
        event.listen(engine, "do_execute", _execute_generic)
        event.listen(engine, "handle_error", _drop_if_lost)


def _limits(dbapi_connection, _record) -> None:
    dbapi_connection.prepare_threshold = PREPARE_THRESHOLD
    dbapi_connection.prepared_max = PREPARED_MAX


def _off(dbapi_connection, _record) -> None:
    dbapi_connection.prepare_threshold = None


def execute_generic(cursor, statement: str, parameters) -> None:
    """Execute ``statement`` on a psycopg cursor as a prepared statement with a generic plan; the setting is
    back to ``auto`` for whatever the transaction runs next (other statements keep their custom plans)."""
    connection = cursor.connection
    # The settings are never prepared: they would take two of the connection's PREPARED_MAX places from the
    # statements that gain from them, and push a working set that just fits out of it.
    connection.execute(GENERIC_PLANS, prepare=False)
    cursor.execute(statement, parameters, prepare=True)
    connection.execute(CUSTOM_PLANS, prepare=False)  # (a failed statement aborted the transaction, and the setting)


def _execute_generic(cursor, statement, parameters, context) -> bool | None:
    if not context.execution_options.get(OPTION):
        return None  # SQLAlchemy executes it as usual
    execute_generic(cursor, statement, parameters)
    return True


def _drop_if_lost(context) -> None:
    if getattr(context.original_exception, "sqlstate", None) == MISSING:
        context.is_disconnect = True
