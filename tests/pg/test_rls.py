"""Row-level security, once an operator turns it on (``flask rls enable``): a transaction scoped to one agency
cannot read or write another's rows, even with a query that forgets its ``agency_id`` filter. PostgreSQL only
(SQLite has no row security: there the tests check that the table list covers every table carrying an agency).
The policies are installed inside each test's transaction, so its rollback takes them away again."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import tenancy
from app.extensions import db
from app.pg import rls


def tables_with_an_agency() -> set[str]:
    return {t.name for t in db.metadata.sorted_tables if "agency_id" in t.c} - rls.NOT_ROW_SECURED


def test_every_table_carrying_an_agency_is_a_tenant_table():
    assert set(rls.tenant_tables()) == tables_with_an_agency() | {"agencies"}
    assert {"accounts", "debtors", "payments", "audit_events"} <= set(
        rls.tenant_tables()
    ) and "users" not in rls.tenant_tables()


@pytest.fixture
def secured(is_postgres):
    """The policies, as ``flask rls enable`` installs them, for this test's transaction only."""
    if is_postgres:
        rls.install(db.session.connection())
    return is_postgres


def test_each_secured_table_has_forced_row_security_and_the_policy(secured):
    if not secured:
        return
    rows = db.session.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, p.polname FROM pg_class c "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid WHERE c.relname = ANY(:names)"
        ),
        {"names": sorted(tables_with_an_agency() | {"agencies"})},
    ).all()
    assert {name for name, *_ in rows} == tables_with_an_agency() | {"agencies"}
    assert all(secured and forced and policy == rls.POLICY for _, secured, forced, policy in rows)


def test_disabling_removes_every_policy(secured):
    if not secured:
        return
    rls.uninstall(db.session.connection())
    assert not db.session.scalar(text("SELECT count(*) FROM pg_policy WHERE polname = :p"), {"p": rls.POLICY})


@pytest.fixture
def app_role(secured):
    """A role like the app's production one: no superuser, no BYPASSRLS, rights on every table; the test's
    transaction runs as it from here on (both undone when the transaction rolls back)."""
    if not secured:
        return None
    name = f"debtflow_app_{uuid.uuid4().hex[:8]}"
    for statement in (
        f"CREATE ROLE {name} NOLOGIN NOSUPERUSER NOBYPASSRLS",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {name}",
        f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {name}",
    ):
        db.session.execute(text(statement))
    db.session.flush()
    return name


def become(role: str) -> None:
    db.session.execute(text(f"SET LOCAL ROLE {role}"))


def visible(table: str) -> set[int]:
    return set(db.session.scalars(text(f"SELECT agency_id FROM {table}")))  # noqa: S608 (a fixed table name)


def test_an_unscoped_select_as_the_app_role_gets_only_the_current_agencys_rows(app_role, agency, account, foreign):
    if app_role is None:  # SQLite: no second wall; the app's own filters are all there is
        assert {agency.id, foreign.agency.id} <= visible("accounts")
        return
    mine, theirs = agency.id, foreign.agency.id  # read now: the scoped transaction will not see the other agency
    become(app_role)
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
    become(app_role)
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
    become(app_role)
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
    become(app_role)
    path = tmp_path / "rls.csv"
    path.write_text("external_ref,debtor_name,original_amount,debtor_ssn_last4\nRLS-1,Ann,10,1234\n")
    job = receive.receive_path(agency.id, path, actor=None)
    run.run_import(job.id)
    db.session.refresh(job)
    assert job.ok == 1
    assert visible("accounts") == {agency.id}  # the job scoped the transaction to its agency
