"""Throw-away PostgreSQL databases for the benchmarks: connect, create one with a unique name, drop one; and
how fast the machine answers right now."""

import time
import uuid

import psycopg
from sqlalchemy import make_url

from app.pg.rls import roles_of


def pg_connect(url: str, database: str | None = None):
    """A psycopg connection to the server of ``url`` (optionally to another database on it)."""
    u = make_url(url)
    return psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, dbname=database or u.database
    )


def create_database(base_url: str, prefix: str, name: str | None = None) -> str:
    """Create ``name`` (default: ``prefix`` plus a random suffix) on the server of ``base_url``; its URL."""
    name = name or f"{prefix}_{uuid.uuid4().hex[:8]}"
    _admin(base_url, f'CREATE DATABASE "{name}"')
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of ``url``, forcing out its sessions, and the roles its migrations created."""
    database = make_url(url).database
    _admin(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    for role in roles_of(database):
        _admin(url, f"DROP ROLE IF EXISTS {role}")


def _admin(url: str, statement: str) -> None:
    conn = pg_connect(url, "postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def round_trip_ms(url: str, rounds: int = 500) -> float:
    """Median ``SELECT 1`` round trip, in ms: how fast this shared virtual machine is at the moment. Runs whose
    round trips differ were made on machines of different speeds (docs/performance.md)."""
    conn = pg_connect(url)
    samples = []
    with conn.cursor() as cur:
        for _ in range(rounds):
            started = time.perf_counter()
            cur.execute("SELECT 1")
            cur.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return round(sorted(samples)[rounds // 2], 3)
