"""Row-level security: PostgreSQL refuses another agency's rows to a transaction scoped to one agency.

Installed by migration 0019 (``flask rls disable`` takes the policies off, ``flask rls enable`` puts them back and
covers tables added since). Each tenant-owned table gets one policy, ``tenant_isolation``, for every command: a
row is visible (and may be written) when its agency is the transaction's ``debtflow.agency_id`` setting, or when
that setting is unset. The app sets it, transaction-local (``set_config(..., true)``: a pooled connection never
carries it into the next request), from the signed-in user at the start of each request's transaction, and jobs
set it for the agency they work on (:mod:`app.tenancy`). Unset means the system's own work: migrations, the
operator's pages, sign-in (the user is not known yet), cross-agency sweeps and CLI commands.
``FORCE ROW LEVEL SECURITY`` subjects the tables' owner, the role the app usually runs as, too; only a
superuser (or a role with BYPASSRLS) passes by.

**The worklist's reader role.** PostgreSQL checks a policy before any condition whose operator is not leakproof,
so for a role the policies apply to, the worklist's search (``LIKE`` through the trigram index, ``strpos`` on
the walk) and its balance filters stop being index conditions (a search 1.5 → 142 ms at 200,000 accounts).
The worklist's statements filter by ``agency_id`` themselves, bound from the viewer, so they run under a role
of their own, the *reader*: NOLOGIN, SELECT on the few tables they read, and on those a ``FOR SELECT USING
(true)`` policy, which PostgreSQL ORs with ``tenant_isolation`` and folds away, plans and indexes as without
row security. A statement marked with :func:`agency_filtered` switches to it (``set_config('role', …, true)``)
and back in the same pipeline (:mod:`app.pg.prepare`). Role names are global to the server: the reader's name
is derived from the database's (``ROLE_NAME``), so the many databases of a test run or of several installations
on one server never share one. The role that installs it must be a superuser or hold CREATEROLE.

**Switching to the reader must not make its policy yours.** A policy ``TO reader`` applies to every role that
has the reader's privileges, and a plain member (with INHERIT, the default) has them: the owner would then
read every agency's accounts. So the owner is made a member of the *gate* (``<reader>_gate``), a NOINHERIT role
that is the reader's only member: SET ROLE follows memberships whatever INHERIT says, privileges stop at the
gate (PostgreSQL 15 has no ``GRANT … WITH INHERIT FALSE``). A separate login role for the app needs
``GRANT <reader>_gate TO <app role>``, else the statements run under its own role (same rows, slower searches).
"""

import hashlib

from sqlalchemy import text

from app.extensions import db

SETTING = "debtflow.agency_id"
POLICY = "tenant_isolation"
# Inlined by the planner (a one-line SQL function), so each policy reads the setting once per statement.
FUNCTION_NAME = "debtflow_agency"
FUNCTION_BODY = f" SELECT NULLIF(current_setting('{SETTING}', true), '')::integer "
FUNCTION = f"""CREATE OR REPLACE FUNCTION {FUNCTION_NAME}() RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE
AS $${FUNCTION_BODY}$$"""
SET_AGENCY = text(f"SELECT set_config('{SETTING}', :agency, true)")

# Sign-in and the check that a new username is free across every agency must see all users (docs/decisions.md).
NOT_ROW_SECURED = frozenset({"users"})

# The reader: the worklist's statements read these tables (``users`` for the collector's name, not row-secured;
# ``account_search``, PostgreSQL's search index, for the ids of the matches, which they join to their accounts).
READER_POLICY = "agency_filtered"
READER_SECURED = ("accounts", "debtors", "creditors", "account_search")
READER_GRANTS = (*READER_SECURED, "users")
# A valid name without quoting for any database name, and no two databases share one.
ROLE_NAME = "'debtflow_reader_' || left(md5(current_database()), 16)"
GATE_SUFFIX = "_gate"
FILTERED = "agency_filtered"  # the execution option marking a statement to run as the reader
PRIOR_ROLE = "debtflow.prior_role"
# Select-list terms (``app.pg.prepare`` sends them with its own in one statement before and one after). Plain SQL,
# no function of ours: where the reader doesn't exist (an older schema) or the session's user may not take it on,
# the role stays what it was. The role in force (``none`` unless a SET ROLE came before, as the tests' app role)
# is kept in the subquery, which runs before the outer ``set_config`` (its argument), and put back after.
# Written out in full, without formatting (the same ``ROLE_NAME`` and ``PRIOR_ROLE``; a test checks the switch).
ENTER_READER = (
    "set_config('role', (SELECT CASE WHEN pg_has_role(session_user, to_regrole(r.name), 'MEMBER') THEN r.name "
    "ELSE r.prior END FROM (SELECT 'debtflow_reader_' || left(md5(current_database()), 16) AS name, "
    "set_config('debtflow.prior_role', current_setting('role'), true) AS prior) r), true)"
)
LEAVE_READER = f"set_config('role', current_setting('{PRIOR_ROLE}'), true)"


def agency_filtered(stmt):
    """``stmt``, marked to run as the reader on PostgreSQL: only for a statement that filters by the viewer's
    agency itself (every table it reads), as row security will not do it for the reader."""
    return stmt.execution_options(**{FILTERED: True})


def tenant_tables() -> dict[str, str]:
    """Each table that carries an agency, with its agency column (``agencies`` itself by its id)."""
    carrying = (t.name for t in db.metadata.sorted_tables if "agency_id" in t.c and t.name not in NOT_ROW_SECURED)
    return {"agencies": "id"} | dict.fromkeys(carrying, "agency_id")


def install(bind, tables: dict[str, str] | None = None) -> None:
    """The setting's function, each tenant table's policy (``tables``, by default every one the models have)
    and the reader (no commit: the caller's transaction)."""
    bind.execute(text(FUNCTION))
    for table, column in (tables or tenant_tables()).items():
        rule = f"debtflow_agency() IS NULL OR {column} = debtflow_agency()"
        bind.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        bind.execute(text(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))
        bind.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {table}"))
        bind.execute(text(f"CREATE POLICY {POLICY} ON {table} USING ({rule}) WITH CHECK ({rule})"))
    install_reader(bind)


def uninstall(bind, tables: dict[str, str] | None = None) -> None:
    """Row security off. The reader stays (without policies it reads what the owner reads: its statements
    filter by agency themselves); ``drop_reader`` removes it."""
    drop_policies(bind, tables or tenant_tables())
    bind.execute(text("DROP FUNCTION IF EXISTS debtflow_agency()"))


def drop_policies(bind, tables) -> None:
    """Row security off on ``tables`` alone (the others keep theirs, and the setting's function stays)."""
    for table in tables:
        bind.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {table}"))
        bind.execute(text(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"))
        bind.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))


def reader_role(bind) -> str:
    return bind.scalar(text(f"SELECT {ROLE_NAME}"))


def reader_role_of(database: str) -> str:
    """``ROLE_NAME`` computed here, for whoever drops a database and then its roles (tests, benches): a
    dropped database takes the reader's grants with it, never the roles, which belong to the server."""
    return "debtflow_reader_" + hashlib.md5(database.encode(), usedforsecurity=False).hexdigest()[:16]


def roles_of(database: str) -> tuple[str, str]:
    """The reader and its gate, named for ``database``."""
    reader = reader_role_of(database)
    return reader, f"{reader}{GATE_SUFFIX}"


def install_reader(bind) -> None:
    """The reader, its gate, grants and policies. Idempotent: roles left by a dropped database of the same
    name are taken over (its grants went with that database)."""
    reader = reader_role(bind)
    gate = f"{reader}{GATE_SUFFIX}"
    for role in (reader, gate):
        if bind.scalar(text("SELECT to_regrole(:role)"), {"role": role}) is None:
            bind.execute(text(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT"))
    bind.execute(text(f"GRANT {reader} TO {gate}"))
    bind.execute(text(f"GRANT {gate} TO CURRENT_USER"))
    bind.execute(text(f"GRANT USAGE ON SCHEMA {_schema(bind)} TO {reader}"))
    bind.execute(text(f"GRANT SELECT ON {', '.join(_existing(bind, READER_GRANTS))} TO {reader}"))
    for table in _existing(bind, READER_SECURED):
        bind.execute(text(f"DROP POLICY IF EXISTS {READER_POLICY} ON {table}"))
        bind.execute(text(f"CREATE POLICY {READER_POLICY} ON {table} FOR SELECT TO {reader} USING (true)"))


def drop_reader(bind) -> None:
    """The reader's policies, its grants in this database, the reader and its gate (named for this database)."""
    reader = reader_role(bind)
    for table in _existing(bind, READER_SECURED):
        bind.execute(text(f"DROP POLICY IF EXISTS {READER_POLICY} ON {table}"))
    if bind.scalar(text("SELECT to_regrole(:role)"), {"role": reader}) is not None:
        # Its grants by name: DROP OWNED would need the reader's privileges, which the owner doesn't have.
        bind.execute(text(f"REVOKE ALL ON {', '.join(_existing(bind, READER_GRANTS))} FROM {reader}"))
        bind.execute(text(f"REVOKE USAGE ON SCHEMA {_schema(bind)} FROM {reader}"))
    for role in (f"{reader}{GATE_SUFFIX}", reader):
        bind.execute(text(f"DROP ROLE IF EXISTS {role}"))


def _existing(bind, tables) -> list[str]:
    """Those of ``tables`` the schema has: a migration that installs the reader knows only the tables of its
    time, and the one that adds a table installs the reader again."""
    return [t for t in tables if bind.scalar(text("SELECT to_regclass(:t)"), {"t": t}) is not None]


def _schema(bind) -> str:
    return bind.scalar(text("SELECT current_schema()"))


def set_agency(connection, agency_id: int) -> None:
    """Scope the connection's current transaction to ``agency_id``."""
    connection.execute(SET_AGENCY, {"agency": str(agency_id)})
