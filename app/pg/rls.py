"""Row-level security: PostgreSQL refuses another agency's rows to a transaction scoped to one agency.

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

SETTING = "debtflow.agency_id"
POLICY = "tenant_isolation"
# Inlined by the planner (a one-line SQL function), so each policy reads the setting once per statement.
FUNCTION_NAME = "debtflow_agency"
FUNCTION_BODY = f" SELECT NULLIF(current_setting('{SETTING}', true), '')::integer "
FUNCTION = f"""CREATE OR REPLACE FUNCTION {FUNCTION_NAME}() RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE
AS $${FUNCTION_BODY}$$"""
SET_AGENCY = text(f"SELECT set_config('{SETTING}', :agency, true)")


def install(bind, tables: dict[str, str]) -> None:
    """The setting's function and each table's policy; ``tables`` maps a table to its agency column."""
    bind.execute(text(FUNCTION))
    for table, column in tables.items():
        rule = f"debtflow_agency() IS NULL OR {column} = debtflow_agency()"
        bind.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        bind.execute(text(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))
        bind.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {table}"))
        bind.execute(text(f"CREATE POLICY {POLICY} ON {table} USING ({rule}) WITH CHECK ({rule})"))


def uninstall(bind, tables: dict[str, str]) -> None:
    for table in tables:
        bind.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {table}"))
        bind.execute(text(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"))
        bind.execute(text(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
    bind.execute(text("DROP FUNCTION IF EXISTS debtflow_agency()"))


def set_agency(connection, agency_id: int) -> None:
    """Scope the connection's current transaction to ``agency_id``."""
    connection.execute(SET_AGENCY, {"agency": str(agency_id)})
