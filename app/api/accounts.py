"""``/api/v1/accounts``: the worklist's query and the account page's services, as JSON (schemas in
``account_schemas``, cursors in ``account_cursor``)."""

from functools import partial

from flask_login import current_user

from app.accounts import export as account_export
from app.accounts import followups, queries, services
from app.accounts.models import Activity
from app.api import account_cursor, limits, paging
from app.api.account_schemas import (
    CSV_RESPONSE,
    AccountChangeSchema,
    AccountFilterArgs,
    AccountListArgs,
    AccountRowSchema,
    AccountSchema,
    ActivitySchema,
    AssignSchema,
    NoteSchema,
    TransitionSchema,
    to_filters,
)
from app.api.core import ID, ApiBlueprint
from app.api.security import guard
from app.audit import services as audit
from app.auth.tokens import Scope
from app.csvexport import stream_csv
from app.errors import Conflict, ValidationFailed

bp = ApiBlueprint("api_accounts", __name__, url_prefix="/api/v1/accounts", description="Accounts.")
limits.apply(bp)
guard(bp, Scope.WRITE)


@bp.route("/", methods=["GET"])
@bp.arguments(AccountListArgs, location="query")
@bp.response(200, paging.page_schema(AccountRowSchema, "AccountPage"))
def list_accounts(args):
    """The caller's accounts (an admin's agency, a collector's own), filtered and ordered like the worklist.

    Keyset pages: a cursor names the row it continues from (its sort value and id) and the way (next or
    previous), so a page never repeats or skips rows when accounts are added before it."""
    return account_cursor.keyset_page(current_user, to_filters(args), args)


@bp.route("/export/", methods=["GET"])
@bp.arguments(AccountFilterArgs, location="query")
@bp.doc(responses=CSV_RESPONSE)
def export(args):
    """The caller's accounts as CSV (the list's filters and ordering, every page), like the accounts page's export."""
    rows = account_export.export_accounts(current_user, to_filters(args))
    finish = partial(audit.record_export, current_user, "accounts", args)
    return stream_csv("accounts.csv", account_export.header(), rows, finish)


@bp.route(f"/<{ID}:account_id>/", methods=["GET"])
@bp.response(200, AccountSchema)
def get_account(account_id: int):
    """One account with its debtor (SSN masked) and its ten latest timeline entries."""
    return queries.get_account(current_user, account_id)


@bp.route(f"/<{ID}:account_id>/", methods=["PATCH"])
@bp.arguments(AccountChangeSchema)
@bp.response(200, AccountSchema)
def change(data, account_id: int):
    """Set the priority and/or the due date (admins), each audited and on the timeline like on the account page."""
    return followups.change_account(account_id, data, actor=current_user)


@bp.route(f"/<{ID}:account_id>/transition/", methods=["POST"])
@bp.arguments(TransitionSchema)
@bp.response(200, AccountSchema)
def transition(data, account_id: int):
    """Move the account along the state machine; 409 for a move it does not allow."""
    try:
        return services.change_status(account_id, data["new_status"].value, data["note"], actor=current_user)
    except ValidationFailed as exc:
        if "status" in exc.fields:
            raise Conflict(exc.message, exc.fields) from None
        raise


@bp.route(f"/<{ID}:account_id>/assign/", methods=["POST"])
@bp.arguments(AssignSchema)
@bp.response(200, AccountSchema)
def assign(data, account_id: int):
    """Assign the account to an active collector of the agency (admins)."""
    return services.assign_collector(account_id, data["collector_id"], actor=current_user)


@bp.route(f"/<{ID}:account_id>/add_note/", methods=["POST"])
@bp.arguments(NoteSchema)
@bp.response(201, ActivitySchema)
def add_note(data, account_id: int):
    """Add a note to the account's timeline."""
    return services.add_note(account_id, data["text"], actor=current_user)


@bp.route(f"/<{ID}:account_id>/add-note/", methods=["POST"])
@bp.arguments(NoteSchema)
@bp.response(201, ActivitySchema)
def add_note_hyphen(data, account_id: int):
    """The same as ``add_note/`` (the spelling the description's web client uses)."""
    return services.add_note(account_id, data["text"], actor=current_user)


@bp.route(f"/<{ID}:account_id>/timeline/", methods=["GET"])
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paging.page_schema(ActivitySchema, "ActivityPage"))
def timeline(args, account_id: int):
    """The account's timeline, newest first."""
    account = queries.get_account(current_user, account_id)
    return paging.by_id_desc(queries.timeline_statement(account), Activity.id, args)
