"""Statements marked ``prepared`` run as prepared statements with generic plans on PostgreSQL, with the same
rows as when they are planned each time; elsewhere the mark changes nothing."""

import pytest
from sqlalchemy import bindparam, literal_column, select, text
from sqlalchemy.exc import DBAPIError

from app import prepared
from app.accounts.models import Account
from app.accounts.queries import WorklistFilters, list_accounts
from app.extensions import db
from tests import factories as f


def held_statements() -> list[tuple[str, int]]:
    """(statement, generic plan executions) of what this session's connection has prepared."""
    rows = db.session.execute(text("SELECT statement, generic_plans FROM pg_prepared_statements"))
    return [tuple(r) for r in rows if r[0].startswith("PREPARE df_prepared_")]


@pytest.fixture
def accounts(agency):
    return [f.AccountFactory(agency=agency, external_ref=f"P-{n}", priority=n % 4) for n in range(6)]


def statement():
    """Parameters used twice and out of order, and a literal ``%`` (doubled in psycopg2's placeholders)."""
    ref = Account.external_ref
    return (
        select(Account.id)
        .where(Account.agency_id == bindparam("agency"), ref.like(literal_column("'P-%'")), ref != bindparam("skip"))
        .where(Account.priority >= bindparam("low"), Account.agency_id == bindparam("agency"))
        .order_by(Account.id)
    )


def test_a_prepared_statement_gives_the_rows_of_the_plain_one(accounts, agency, is_postgres):
    values = dict(agency=agency.id, skip="P-1", low=1)
    plain = db.session.scalars(statement(), values).all()
    assert plain == [a.id for a in accounts if a.external_ref != "P-1" and a.priority >= 1]
    for _ in range(3):
        assert db.session.scalars(prepared.prepared(statement()), values).all() == plain
    if is_postgres:
        [(text, generic)] = [s for s in held_statements() if "'P-%'" in s[0]]  # the pooled connection may hold more
        assert "$1" in text and "$3" in text and "$4" not in text
        assert generic == 3  # planned once, for any values


def test_the_worklist_page_runs_prepared(accounts, admin, is_postgres):
    page = list_accounts(admin, WorklistFilters(sort="priority", direction="desc"), 1, 25)
    assert [r.id for r in page.items] == [a.id for a in sorted(accounts, key=lambda a: (-a.priority, -a.id))]
    if is_postgres:
        assert held_statements()


def test_a_connection_keeps_its_most_recently_used_statements(accounts, agency, monkeypatch, is_postgres):
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 2)
    # Each a different SQL text; A is used again before C comes, so B is the one deallocated.
    texts = {}
    for name, low in (("A", 0), ("B", 1), ("A", 0), ("C", 2)):
        stmt = statement().where(Account.priority >= literal_column(str(low)))
        rows = db.session.scalars(prepared.prepared(stmt), dict(agency=agency.id, skip="", low=0)).all()
        assert rows == [a.id for a in accounts if a.priority >= low]
        texts[name] = f">= {low} ORDER BY"
    if is_postgres:
        held = [s for s, _ in held_statements()]
        assert len(held) == 2
        assert [name for name, text in texts.items() if any(text in s for s in held)] == ["A", "C"]


def test_a_connection_that_lost_its_statements_prepares_them_again(accounts, agency, is_postgres):
    values = dict(agency=agency.id, skip="", low=0)
    expected = db.session.scalars(prepared.prepared(statement()), values).all()
    if is_postgres:
        db.session.execute(text("DEALLOCATE ALL"))  # as a pooler's DISCARD ALL would, unknown to the app
        with pytest.raises(DBAPIError, match="does not exist"), db.session.begin_nested():
            db.session.scalars(prepared.prepared(statement()), values).all()
    assert db.session.scalars(prepared.prepared(statement()), values).all() == expected
