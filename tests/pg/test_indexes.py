"""The indexes the migrations built are the ones ``app.pg.indexes`` declares: names, columns, method and
predicate. ``flask db check`` compares names and columns only, so a predicate or a method that drifted would
pass it and silently change the worklist's plans."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.schema import CreateIndex

from app.accounts.models import Account, AccountSearch, Activity
from app.debtors.models import Debtor
from app.extensions import db
from app.pg.indexes import SEARCH_INDEX, worklist_indexes

DECLARED = [ix.name for ix in worklist_indexes()]
# Indexes of accounts that are not the worklist's walks: the same-debtor card's, and the plan filters' partial ones
OTHERS = {"ix_accounts_agency_debtor", "ix_accounts_plan_due", "ix_accounts_plan_broken"}
PARTIAL = {Activity.__table__: "ix_activities_actor_id", Debtor.__table__: "uq_debtors_agency_ref"}
PROBE = "ix_probe_declared"


def declared_indexes() -> list:
    """The declared indexes as the models attach them (to their tables): the worklist's, the search's and the
    partial ones."""
    on_accounts = [ix for ix in Account.__table__.indexes if ix.name in DECLARED]
    partial = [ix for table, name in PARTIAL.items() for ix in table.indexes if ix.name == name]
    return on_accounts + list(AccountSearch.__table__.indexes) + partial


def server_definition(name: str) -> str:
    """The index's definition as PostgreSQL normalises it, with the index's own name left out."""
    found = db.session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": name})
    return found.replace(name, "<index>", 1)


def test_the_models_attach_every_declared_worklist_index():
    names = {ix.name for ix in Account.__table__.indexes if ix.name.startswith("ix_accounts_")}
    assert sorted(names - OTHERS) == sorted(DECLARED)
    assert [ix.name for ix in AccountSearch.__table__.indexes] == [SEARCH_INDEX]
    assert len(declared_indexes()) == len(DECLARED) + 1 + len(PARTIAL)


def test_the_migrated_worklist_indexes_are_the_declared_ones():
    found = {ix["name"]: ix["column_names"] for ix in inspect(db.session.connection()).get_indexes("accounts")}
    found = {name: columns for name, columns in found.items() if name.startswith("ix_accounts_") and name not in OTHERS}
    expected = {ix.name: [c.name for c in ix.columns] for ix in declared_indexes() if ix.table is Account.__table__}
    assert found == expected


@pytest.mark.parametrize("index", declared_indexes(), ids=lambda ix: ix.name)
def test_a_declared_index_built_anew_is_the_migrated_one(index, is_postgres):
    """On PostgreSQL, the declared index built under another name (in the test's rolled-back transaction) has the
    migrated one's definition, predicate and method included; SQLite has the declared ones, partial where declared."""
    if not is_postgres:
        partial = index.dialect_options["sqlite"]["where"] is not None
        sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": index.name})
        assert (sql is None) == (index.name == SEARCH_INDEX)
        assert sql is None or (" WHERE " in sql.upper()) == partial
        return
    ddl = str(CreateIndex(index).compile(dialect=db.engine.dialect)).replace(index.name, PROBE, 1)
    db.session.connection().exec_driver_sql(ddl)
    assert server_definition(PROBE) == server_definition(index.name)
