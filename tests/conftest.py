"""Fixtures: the app on SQLite or PostgreSQL (TEST_DATABASE_URL), per-test rollback, clients, users."""

import os
import re
import uuid
from contextlib import contextmanager, nullcontext

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.config import database_uri, test_config
from app.dbsetup import configure_engine
from app.extensions import db as _db
from app.extensions import limiter
from app.pg import rls
from app.timeutil import clock as app_clock
from tests import factories as f

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _create_pg_database(base_url: str) -> str:
    """Create a throw-away database on the server named by TEST_DATABASE_URL and return its URL."""
    import psycopg

    url = make_url(base_url)
    name = f"debtflow_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**_pg_args(url, url.database or "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(db_url: str) -> None:
    import psycopg

    url = make_url(db_url)
    with psycopg.connect(**_pg_args(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        for role in rls.roles_of(url.database):  # the migrations created them
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def _pg_args(url, database: str) -> dict:
    return dict(host=url.host, port=url.port or 5432, user=url.username, password=url.password, dbname=database)


@contextmanager
def own_database(tmp_dir, name: str):
    """A database of its own: a fresh one on the TEST_DATABASE_URL server, else a SQLite file in ``tmp_dir``."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_dir / name}.db"
        return
    url = database_uri(_create_pg_database(base))
    try:
        yield url
    finally:
        _drop_pg_database(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with own_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    """One app per test session, its database built by the real migrations."""
    app = create_app(test_config(database_url))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(autouse=True)
def db(app):
    """Each test runs in a transaction that is rolled back; service commits become savepoint releases."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def fresh_limits(app, db):
    """No rate-limit counts from earlier tests: they live in Redis, outside the rolled-back transaction.

    The browser tests replace ``db`` with a no-op, so there may be no app context yet.
    """
    with nullcontext() if has_app_context() else app.app_context():
        limiter.reset()


@pytest.fixture
def clock():
    """The app's clock, to move time forward (``clock.advance(timedelta(...))``) instead of sleeping."""
    yield app_clock
    app_clock.reset()


class Web:
    """A test client that signs in users and sends CSRF tokens like the browser would."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = f.PASSWORD):
        return self.post("/login", {"username": user.username, "password": password})

    def csrf(self) -> str:
        return CSRF_META.search(self.client.get("/login").get_data(as_text=True)).group(1)

    def get(self, url: str, htmx: bool = False, target: str | None = None, **kw):
        return self.client.get(url, headers=hx_headers(htmx, target), **kw)

    def post(self, url: str, data: dict | None = None, htmx: bool = False, target: str | None = None):
        payload = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(url, data=payload, headers=hx_headers(htmx, target))


def hx_headers(htmx: bool, target: str | None) -> dict:
    if not htmx:
        return {}
    headers = {"HX-Request": "true"}
    if target:
        headers["HX-Target"] = target
    return headers


class FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty ``g``, as in production.

    The test holds an app context open (for the per-test session), and Flask reuses it for requests,
    so without this ``g`` (CSRF token, logged-in user, request id) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshGlobalsClient
    return app.test_client()


@pytest.fixture
def web(client):
    return Web(client)


@pytest.fixture
def agency():
    return f.AgencyFactory(name="Apex Test Agency", slug="apex-test")


@pytest.fixture
def admin(agency):
    return f.AdminFactory(agency=agency, full_name="Ada Admin")


@pytest.fixture
def collector(agency):
    return f.CollectorFactory(agency=agency, full_name="Carl Collector")


@pytest.fixture
def other_collector(agency):
    return f.CollectorFactory(agency=agency, full_name="Olga Other")


@pytest.fixture
def account(agency):
    return f.AccountFactory(agency=agency)


@pytest.fixture
def assigned_account(account, admin, collector):
    return f.walk_to(account, f.Status.ASSIGNED, admin=admin, collector=collector)


@pytest.fixture
def foreign():
    """A second agency with its own admin, collector and assigned account."""
    agency = f.AgencyFactory(name="Other Agency")
    admin = f.AdminFactory(agency=agency)
    collector = f.CollectorFactory(agency=agency)
    account = f.walk_to(f.AccountFactory(agency=agency), f.Status.IN_CONTACT, admin=admin, collector=collector)
    return type("Foreign", (), dict(agency=agency, admin=admin, collector=collector, account=account))


@pytest.fixture
def app_role(is_postgres):
    """On PostgreSQL, the rest of the test runs as a role like the app's in production (no superuser, no
    BYPASSRLS, not the tables' owner, rights on every table), so row-level security applies to it: the suite
    connects as a superuser, whom it never applies to. Role and ``SET LOCAL ROLE`` go with the test's
    rollback. Its name, or None on SQLite (no row security: the app's own filters are all there is)."""
    if not is_postgres:
        return None
    name = f"debtflow_app_{uuid.uuid4().hex[:8]}"
    for statement in (
        f"CREATE ROLE {name} NOLOGIN NOSUPERUSER NOBYPASSRLS",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {name}",
        f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {name}",
        f"SET LOCAL ROLE {name}",
    ):
        _db.session.execute(text(statement))
    return name


@pytest.fixture
def login(web):
    """Sign a user in through the real login form."""

    def _login(user):
        response = web.login(user)
        assert response.status_code == 303, response.get_data(as_text=True)
        return web

    return _login


@pytest.fixture
def committed_session(database_url, tmp_path):
    """``db.session`` on its own engine with real commits, so several threads can write at once.

    PostgreSQL uses the test database (the rows stay until it is dropped), with a pool big enough for the
    concurrency tests' threads; SQLite a fresh file.
    """
    url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'race.db'}"
    engine = create_engine(url, pool_size=60, max_overflow=0) if url.startswith("postgresql") else create_engine(url)
    configure_engine(engine)
    if engine.dialect.name == "sqlite":
        _db.Model.metadata.create_all(engine)
    with session_on(engine) as session:
        yield session
    engine.dispose()


@contextmanager
def session_on(engine):
    """``db.session`` with real commits on ``engine`` (the factories and services use it), restored after."""
    saved, _db.session = _db.session, scoped_session(sessionmaker(bind=engine))
    try:
        yield _db.session
    finally:
        _db.session.remove()
        _db.session = saved
