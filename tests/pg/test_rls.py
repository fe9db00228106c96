"""Row-level security, installed by migration 0019: a transaction scoped to one agency cannot read or write
another's rows, even with a query that forgets its ``agency_id`` filter; the worklist's statements, which filter
by agency themselves, run as the reader role and keep their index plans. PostgreSQL only (SQLite has no row
security: there the tests check that the table list covers every table carrying an agency).

The suite connects as a superuser, whom row security never applies to, so each proof runs as ``app_role`` (a
non-superuser, non-owner role; tests/conftest.py)."""

import os
import uuid

import psycopg
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import create_app, tenancy
from app.accounts.queries import WorklistFilters, list_accounts
from app.config import database_uri
from app.config import test_config as make_test_config
from app.extensions import db
from app.pg import rls
from app.pg.indexes import SEARCH_INDEX
from app.pg.prepare import generic
from tests import factories as f
from tests.conftest import session_on


def tables_with_an_agency() -> set[str]:
    return {t.name for t in db.metadata.sorted_tables if "agency_id" in t.c} - rls.NOT_ROW_SECURED


def test_every_table_carrying_an_agency_is_a_tenant_table():
    assert set(rls.tenant_tables()) == tables_with_an_agency() | {"agencies"}
    assert {"accounts", "debtors", "payments", "audit_events"} <= set(
        rls.tenant_tables()
    ) and "users" not in rls.tenant_tables()


def policies() -> dict[str, set[tuple]]:
    """Per table: (policy, command, roles) of every policy, and whether row security is enabled and forced."""
    rows = db.session.execute(
        text(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity, p.polname, p.polcmd, "
            "ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END FROM unnest(p.polroles) r) "
            "FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid WHERE c.relnamespace = 'public'::regnamespace"
        )
    ).all()
    found: dict[str, set[tuple]] = {}
    for table, forced, policy, command, roles in rows:
        found.setdefault(table, set()).add((forced, policy, command, tuple(roles)))
    return found


def test_the_migrations_secure_every_tenant_table_of_the_models(is_postgres):
    """A table added later whose migration forgets its policy fails here (``flask rls enable`` would add it)."""
    if not is_postgres:
        return
    found, reader = policies(), rls.reader_role(db.session.connection())
    for table in rls.tenant_tables():
        assert (True, rls.POLICY, "*", ("public",)) in found.get(table, set()), table
    for table in rls.READER_SECURED:
        assert (True, rls.READER_POLICY, "r", (reader,)) in found[table]  # FOR SELECT, TO the reader only
    assert set(found) == set(rls.tenant_tables())  # nothing else secured: ``users`` stays readable to sign-in


def test_the_reader_is_this_databases_own_role_without_privileges_of_note(is_postgres):
    if not is_postgres:
        return
    name = rls.reader_role(db.session.connection())
    assert name == rls.reader_role_of(db.session.scalar(text("SELECT current_database()")))
    role = db.session.execute(
        text(
            "SELECT rolsuper, rolbypassrls, rolcanlogin, pg_has_role(session_user, oid, 'MEMBER') FROM pg_roles "
            "WHERE rolname = :name"
        ),
        {"name": name},
    ).one()
    assert tuple(role) == (False, False, False, True)
    writable = text("SELECT has_table_privilege(:name, 'accounts', 'INSERT, UPDATE, DELETE')")
    assert db.session.scalar(writable, {"name": name}) is False


def test_disabling_removes_the_policies_and_enabling_restores_them(is_postgres):
    if not is_postgres:
        return
    before = policies()
    rls.uninstall(db.session.connection())
    assert not any(p == rls.POLICY for entries in policies().values() for _, p, *_ in entries)
    rls.install(db.session.connection())
    assert policies() == before


def visible(table: str) -> set[int]:
    return set(db.session.scalars(text(f"SELECT agency_id FROM {table}")))  # noqa: S608 (a fixed table name)


def test_an_unscoped_select_as_the_app_role_gets_only_the_current_agencys_rows(app_role, agency, account, foreign):
    if app_role is None:
        assert {agency.id, foreign.agency.id} <= visible("accounts")
        return
    mine, theirs = agency.id, foreign.agency.id  # read now: the scoped transaction will not see the other agency
    assert {mine, theirs} <= visible("accounts")  # unset: the system's own work sees all (other tests' rows too)
    tenancy.scope(mine)
    rows = db.session.execute(text("SELECT * FROM accounts")).mappings().all()
    assert rows and {row["agency_id"] for row in rows} == {mine}
    assert visible("debtors") == {mine} and visible("audit_events") <= {mine}
    assert set(db.session.scalars(text("SELECT id FROM agencies"))) == {mine}
    tenancy.scope(theirs)
    assert visible("accounts") == {theirs}


def test_a_scoped_transaction_cannot_write_another_agencys_row(app_role, agency, foreign):
    if app_role is None:
        return
    theirs = foreign.agency.id
    tenancy.scope(agency.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        with db.session.begin_nested():
            db.session.execute(text("INSERT INTO creditors (agency_id, name) VALUES (:ag, 'planted')"), {"ag": theirs})
    moved = db.session.execute(text("UPDATE accounts SET priority = 3 WHERE agency_id = :ag"), {"ag": theirs})
    assert moved.rowcount == 0


def test_the_scope_is_transaction_local(app, agency, is_postgres):
    if not is_postgres:
        return
    setting = text("SELECT current_setting('debtflow.agency_id', true)")
    with db.engine.connect() as conn, Session(bind=conn) as session:  # a pooled connection of its own
        with app.test_request_context():
            tenancy.g.tenant_agency_id = agency.id
            assert session.scalar(setting) == str(agency.id)  # written as the transaction began
            session.commit()
        assert session.scalar(setting) in (None, "")  # the next transaction, unscoped, does not inherit it


def test_a_request_runs_scoped_to_the_signed_in_users_agency(app_role, login, admin, account, foreign):
    if app_role is None:
        return
    foreign_account = foreign.account.id
    web = login(admin)
    response = web.get(f"/accounts/{account.id}")
    assert response.status_code == 200 and account.external_ref in response.get_data(as_text=True)
    assert db.session.scalar(text("SELECT current_setting('debtflow.agency_id', true)")) == str(admin.agency_id)
    assert web.get(f"/accounts/{foreign_account}").status_code == 404
    assert web.get("/accounts/").status_code == 200


def test_the_importer_works_as_the_app_role(app_role, agency, foreign, tmp_path):
    from app.imports.services import receive, run

    if app_role is None:
        return
    path = tmp_path / "rls.csv"
    path.write_text("external_ref,debtor_name,original_amount,debtor_ssn_last4\nRLS-1,Ann,10,1234\n")
    job = receive.receive_path(agency.id, path, actor=None)
    run.run_queued_import(job.id)
    db.session.refresh(job)
    assert job.ok == 1
    assert visible("accounts") == {agency.id}  # the job scoped the transaction to its agency


def current_user(stmt=None):
    return db.session.scalar(stmt if stmt is not None else select(func.current_user()))


def test_an_agency_filtered_statement_runs_as_the_reader_and_then_the_role_is_back(app_role, agency):
    if app_role is None:
        return
    tenancy.scope(agency.id)
    reader = rls.reader_role(db.session.connection())
    assert current_user(rls.agency_filtered(select(func.current_user()))) == reader
    assert current_user(generic(rls.agency_filtered(select(func.current_user())))) == reader  # prepared too
    assert current_user() == app_role
    assert db.session.scalar(text("SELECT current_setting('debtflow.agency_id', true)")) == str(agency.id)


def test_the_worklist_as_the_app_role_lists_and_searches_only_its_agency(app_role, admin, account, foreign):
    if app_role is None:
        return
    tenancy.scope(admin.agency_id)
    term = account.debtor.full_name[:5]
    for filters in (WorklistFilters(), WorklistFilters(q=term), WorklistFilters(balance_min=account.current_balance)):
        page = list_accounts(admin, filters)
        assert [row.id for row in page.items] == [account.id], filters
    assert current_user() == app_role


def plan(statement: str, values: dict) -> str:
    return "\n".join(db.session.scalars(text(f"EXPLAIN {statement}"), values))


def test_the_reader_keeps_the_trigram_index_that_row_security_takes_from_the_app_role(app_role, agency, account):
    """PostgreSQL checks a policy before a ``LIKE`` (not leakproof), so for the app role the search can't be an
    index condition; the reader's ``USING (true)`` policy folds away and the index is back."""
    if app_role is None:
        return
    tenancy.scope(agency.id)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    search = "SELECT account_id FROM account_search WHERE search_text LIKE :pattern"  # the trigram index, or not
    values = dict(pattern="%smith%")
    assert SEARCH_INDEX not in plan(search, values)
    db.session.execute(text(f"SET LOCAL ROLE {rls.reader_role(db.session.connection())}"))
    assert SEARCH_INDEX in plan(search, values)


@pytest.fixture
def owned_database(is_postgres):
    """A fresh database owned by a login role that is neither superuser nor BYPASSRLS but holds CREATEROLE, as a
    hosted PostgreSQL gives an application; its URL as that role. Dropped after, with both roles."""
    if not is_postgres:
        yield None
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    suffix = uuid.uuid4().hex[:10]
    owner, name = f"debtflow_owner_{suffix}", f"debtflow_owned_{suffix}"
    with psycopg.connect(host=base.host, port=base.port or 5432, user=base.username, dbname="postgres") as conn:
        conn.autocommit = True
        conn.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS")
        conn.execute(f"CREATE DATABASE {name} OWNER {owner}")
        try:
            yield database_uri(base.set(username=owner, database=name).render_as_string(hide_password=False))
        finally:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for role in rls.roles_of(name):
                conn.execute(f"DROP ROLE IF EXISTS {role}")
            conn.execute(f"DROP ROLE {owner}")


def name(url: str) -> str:
    return make_url(url).database


def test_the_migration_run_by_a_non_superuser_owner_binds_that_owner(owned_database):
    """0019 installs the policies and the reader as the database's owner (CREATEROLE, no superuser), and the
    owner, running the app, is held to the scope: FORCE ROW LEVEL SECURITY. The downgrade takes it all away."""
    if owned_database is None:
        return
    app = create_app(make_test_config(owned_database))
    with app.app_context(), session_on(db.engine) as session:
        upgrade()
        mine, theirs = f.AccountFactory().agency_id, f.AccountFactory().agency_id
        session.commit()
        tenancy.scope(mine)
        assert set(session.scalars(text("SELECT agency_id FROM accounts"))) == {mine}
        reader = rls.reader_role(session.connection())
        assert session.scalar(rls.agency_filtered(select(func.current_user()))) == reader
        # It may become the reader, but the reader's policy is not its own (else it would read every agency).
        membership = text("SELECT pg_has_role(current_user, :r, 'MEMBER'), pg_has_role(current_user, :r, 'USAGE')")
        assert tuple(session.execute(membership, {"r": reader}).one()) == (True, False)
        assert session.scalar(text("SELECT count(*) FROM accounts WHERE agency_id = :a"), {"a": theirs}) == 0
        session.rollback()
        tenancy.g.pop("tenant_agency_id")
        downgrade(revision="0018_import_job_rq_id")
        assert session.scalar(text("SELECT count(*) FROM pg_policy")) == 0
        assert not any(
            session.scalar(text("SELECT to_regrole(:r)"), {"r": r}) for r in rls.roles_of(name(owned_database))
        )
        session.rollback()
        db.engine.dispose()
