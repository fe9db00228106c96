"""The agency the current work is scoped to, for PostgreSQL's row-level security (:mod:`app.pg.rls`).

Every query is already filtered by ``agency_id`` in Python; this is the second wall, for a query that forgets.
A request is scoped to the signed-in user's agency (``init_app``); a job or command working for one agency calls
:func:`scope` itself. The scope lives on ``flask.g`` (per request or job context) and is written into each
session transaction as it begins (a savepoint-joined one too, as in the test suite), so it never outlives the
transaction on a pooled connection. Connections used without a session (advisory locks) are not scoped.
"""

from flask import Flask, g, has_app_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import pg
from app.extensions import db
from app.pg import rls


def scope(agency_id: int) -> None:
    """Scope the rest of this context's database work to ``agency_id``, the open transaction included (a
    transaction not yet begun is scoped as it begins, so this never opens one)."""
    g.tenant_agency_id = agency_id
    if db.session().in_transaction() and pg.active():
        rls.set_agency(db.session.connection(), agency_id)


def current() -> int | None:
    return g.get("tenant_agency_id") if has_app_context() else None


def install() -> None:
    """Write the scope into each transaction any session begins on PostgreSQL (once per process)."""
    if not event.contains(Session, "after_begin", _scope_transaction):
        event.listen(Session, "after_begin", _scope_transaction)


def _scope_transaction(_session, _transaction, connection) -> None:
    agency_id = current()
    if agency_id is not None and connection.dialect.name == "postgresql":
        rls.set_agency(connection, agency_id)


def init_app(app: Flask) -> None:
    app.before_request(_scope_request)
    app.teardown_request(_end_scope)


def _scope_request() -> None:
    agency_id = getattr(current_user, "agency_id", None) if current_user.is_authenticated else None
    if agency_id is not None:
        scope(agency_id)


def _end_scope(_exc) -> None:
    g.pop("tenant_agency_id", None)
