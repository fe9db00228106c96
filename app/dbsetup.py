"""Engine tuning per database.

SQLite (the embedded default) gets foreign keys, WAL, a busy timeout and ``BEGIN IMMEDIATE`` so that
concurrent writers (web thread and in-process worker) queue instead of failing with "database is locked",
and so savepoints work as SQLAlchemy expects. PostgreSQL connections prepare statements as
``app.pg.prepare`` says, unless ``prepared_statements`` is off.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import pg, tenancy
from app.pg import prepare


def configure_engine(engine: Engine, *, prepared_statements: bool = True) -> None:
    """Register the engine's connection settings for its database (the one place that decides it per engine)."""
    if pg.active(engine):
        prepare.install(engine, enabled=prepared_statements)
        tenancy.install()
    else:
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
