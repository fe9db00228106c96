"""trigger sql: the trigger functions and triggers from the readable files in app/pg/sql

The same rollups and audit guard as migrations 0001, 0004, 0006 and 0011, now written as SQL files whose shared
values (applied payment statuses, open account statuses, activity kinds and detail keys) are filled from the
Python enums by ``app.pg.triggers``. Adds ``payment_days_rebuild(agency)``, the re-split of ``payment_days`` that
``app.analytics.rollup`` used to send as text. Nothing is backfilled: the rollups count the same rows as before.
PostgreSQL only: SQLite has no such triggers.

Revision ID: 0012_trigger_sql
Revises: 0011_collector_change_set
Create Date: 2026-12-03 14:30:00

"""

import importlib.util
from pathlib import Path

from alembic import op

from app.pg import triggers

revision = "0012_trigger_sql"
down_revision = "0011_collector_change_set"
branch_labels = None
depends_on = None

# What ``triggers.install`` ran when this migration was written. A test holds the newest such value equal to
# today's rendering, so a changed .sql file or shared enum needs a new migration that installs again.
TRIGGERS_FINGERPRINT = "9caebc7377563cb0e840560d22ca2b61410ed441956c4fb2176ae6f1c74da514"
# The files there were (account_search's triggers need the table migration 0032 creates)
FILES = ("audit_append_only", "account_rollups", "payment_rollups", "collector_rollups", "account_change_set")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        triggers.install(op.get_bind(), FILES)


def _earlier(name: str):
    """An earlier migration's module, for its own definitions (they are history, so they are not copied here)."""
    spec = importlib.util.spec_from_file_location(f"_migration_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace(sql: str) -> str:
    return sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _restore_0004() -> None:
    m = _earlier("0004_analytics_settings")
    for (table, rollup), (rows, upsert) in m.ROLLUPS.items():
        for event, tables in m.EVENTS.items():
            body = upsert.format(rows=m._rows_sql(rows, tables))
            op.execute(
                f"CREATE OR REPLACE FUNCTION {table}_{rollup}_{event}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN {body}; RETURN NULL; END $$"
            )


def _restore_0006() -> None:
    m = _earlier("0006_collector_rollups")
    for sql in (m.FACTS, m.REFRESH, m.REBUILD):
        op.execute(_replace(sql))
    for name, _table, _event, body in m.TRIGGERS:
        body = body if body.startswith("DECLARE") else f"BEGIN {body}"
        op.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} RETURN NULL; END $$")


def downgrade():
    """Back to 0011's functions (the triggers themselves are unchanged) and without ``payment_days_rebuild``."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION payment_days_rebuild(integer)")
    op.execute(_replace(_earlier("0001_foundation_schema").AUDIT_GUARD.split("CREATE TRIGGER")[0]))
    _restore_0004()
    _restore_0006()
    _earlier("0011_collector_change_set").upgrade()
