"""Statements marked ``generic`` run prepared (psycopg's own prepare) with a generic plan on PostgreSQL, with the
same rows as when they are planned each time; other statements keep custom plans; elsewhere the mark changes
nothing."""

import pytest
from sqlalchemy import Integer, bindparam, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError

from app.accounts.models import Account
from app.accounts.queries import WorklistFilters, list_accounts
from app.extensions import db
from app.pg.prepare import generic
from tests import factories as f


def held_statements() -> list[tuple[str, int, int]]:
    """(statement, generic plans, custom plans) of what this session's connection has prepared."""
    rows = db.session.execute(text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"))
    return [tuple(r) for r in rows]


@pytest.fixture
def accounts(agency):
    return [f.AccountFactory(agency=agency, external_ref=f"P-{n}", priority=n % 4) for n in range(6)]


def statement(pattern: str = "'P-%'"):
    """Parameters used twice and out of order, and a literal ``%`` (or another pattern matching the same refs,
    so that a statement another test prepared on this connection is not taken for this one)."""
    ref = Account.external_ref
    return (
        select(Account.id)
        .where(Account.agency_id == bindparam("agency"), ref.like(literal_column(pattern)), ref != bindparam("skip"))
        .where(Account.priority >= bindparam("low"), Account.agency_id == bindparam("agency"))
        .order_by(Account.id)
    )


def test_a_generic_statement_gives_the_rows_of_the_plain_one_planned_once(accounts, agency, is_postgres):
    values = dict(agency=agency.id, skip="P-1", low=1)
    plain = db.session.scalars(statement(), values).all()
    assert plain == [a.id for a in accounts if a.external_ref != "P-1" and a.priority >= 1]
    for _ in range(3):
        assert db.session.scalars(generic(statement()), values).all() == plain
    if is_postgres:
        [(_, generic_plans, custom_plans)] = [s for s in held_statements() if "'P-%'" in s[0]]
        assert (generic_plans, custom_plans) == (3, 0)  # prepared at its first run, planned once for any values


def test_only_generic_statements_are_prepared_and_others_keep_custom_plans(accounts, agency, is_postgres):
    values = dict(agency=agency.id, skip="", low=0)
    for _ in range(10):  # past psycopg's default threshold for preparing a statement
        assert len(db.session.scalars(statement("'P-_'"), values).all()) == len(accounts)
    if is_postgres:
        assert not [s for s, _, _ in held_statements() if "'P-_'" in s]  # planned each time, with its values


def test_the_worklist_page_runs_prepared_with_a_generic_plan(accounts, admin, is_postgres):
    page = list_accounts(admin, WorklistFilters(sort="priority", direction="desc"), 1, 25)
    assert [r.id for r in page.items] == [a.id for a in sorted(accounts, key=lambda a: (-a.priority, -a.id))]
    if is_postgres:
        assert any(g >= 1 and "FROM accounts" in s for s, g, _ in held_statements())


def test_a_connection_that_lost_its_statements_is_replaced(committed_session, is_postgres):
    # An engine of its own, configured as the app's: the test's rolled-back transaction holds SQLite's lock.
    engine = committed_session.get_bind()
    probe = generic(select(func.abs(bindparam("n", type_=Integer))))
    with engine.connect() as conn:  # a pooled connection of its own, as a request would check out
        assert conn.scalar(probe, {"n": -2}) == 2
        if is_postgres:
            conn.connection.dbapi_connection.pgconn.exec_(b"DEALLOCATE ALL")  # as a pooler would, unknown to psycopg
            with pytest.raises(DBAPIError, match="does not exist"):
                conn.scalar(probe, {"n": -3})
            assert conn.invalidated
    with engine.connect() as conn:
        assert conn.scalar(probe, {"n": -4}) == 4


def test_a_generic_statement_stays_prepared_across_requests(committed_session, is_postgres):
    # Each request ends in a rollback; psycopg's own rollback() would forget every prepared statement.
    engine = committed_session.get_bind()
    probe = generic(select(func.abs(bindparam("n", type_=Integer))))
    with engine.connect() as conn:
        for n in range(3):
            assert conn.scalar(probe, {"n": -n}) == n
            conn.rollback()
        if is_postgres:
            plans = conn.execute(text("SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE '%abs(%'"))
            assert plans.scalars().all() == [3]  # prepared once, then executed by every later request
