"""Row-level security: PostgreSQL refuses another agency's rows to a transaction scoped to one agency.

Off unless an operator turns it on (``flask rls enable``; ``disable`` undoes it): with the policies in place,
PostgreSQL checks them before any condition whose operator is not leakproof, so the worklist's search (``LIKE``
through the trigram index, ``strpos`` on the walk) and its balance filters can no longer use their indexes for a
role the policies apply to (100-600x slower searches, measured: docs/decisions.md). Until those statements run
under a role the policies exempt, it is a choice of the operator, not a default.

Each tenant-owned table gets one policy, ``tenant_isolation``, for every command: a row is visible (and may be
written) when its agency is the transaction's ``debtflow.agency_id`` setting, or when that setting is unset. The
app sets it, transaction-local (``set_config(..., true)``: a pooled connection never carries it into the next
request), from the signed-in user at the start of each request's transaction, and jobs set it for the agency
they work on (:mod:`app.tenancy`). Unset means the system's own work: migrations, the operator's pages, sign-in
(the user is not known yet), the public pay page and Stripe's webhooks (they find the agency from the row).
``FORCE ROW LEVEL SECURITY`` subjects the tables' owner, the role the app usually runs as, too; only a
superuser (or a role with BYPASSRLS) passes by.
"""

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


def tenant_tables() -> dict[str, str]:
    """Each table that carries an agency, with its agency column (``agencies`` itself by its id)."""
    carrying = (t.name for t in db.metadata.sorted_tables if "agency_id" in t.c and t.name not in NOT_ROW_SECURED)
    return {"agencies": "id"} | dict.fromkeys(carrying, "agency_id")


def install(bind) -> None:
    """The setting's function and each tenant table's policy (no commit: the caller's transaction)."""
    bind.execute(text(FUNCTION))
    for table, column in tenant_tables().items():
        rule = f"debtflow_agency() IS NULL OR {column} = debtflow_agency()"
        bind.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        bind.execute(text(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))
        bind.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {table}"))
        bind.execute(text(f"CREATE POLICY {POLICY} ON {table} USING ({rule}) WITH CHECK ({rule})"))


def uninstall(bind) -> None:
    for table in tenant_tables():
        bind.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {table}"))
        bind.execute(text(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"))
        bind.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
    bind.execute(text("DROP FUNCTION IF EXISTS debtflow_agency()"))


def set_agency(connection, agency_id: int) -> None:
    """Scope the connection's current transaction to ``agency_id``."""
    connection.execute(SET_AGENCY, {"agency": str(agency_id)})
