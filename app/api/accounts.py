"""``/api/v1/accounts``: the worklist's query and the account page's services, as JSON."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.accounts import aging, followups, queries, services
from app.accounts import export as account_export
from app.accounts.models import Activity
from app.accounts.queries import WorklistFilters
from app.accounts.states import Status
from app.accounts.worklist import PLAN_FILTERS, SORTS
from app.agencyday import EARLIEST_DAY, LATEST_DAY
from app.api import limits, paging
from app.api.core import ID, ApiBlueprint, Money, MoneyField
from app.api.security import guard
from app.audit import services as audit
from app.auth.tokens import Scope
from app.csvexport import stream_csv
from app.errors import Conflict, ValidationFailed

bp = ApiBlueprint("api_accounts", __name__, url_prefix="/api/v1/accounts", description="Accounts.")
limits.apply(bp)
guard(bp, Scope.WRITE)
TIMELINE_IN_DETAIL = 10
# The description's ordering names -> the worklist's sort keys.
ORDERINGS = {
    "created_at": "created",
    "current_balance": "balance",
    "priority": "priority",
    "due_date": "due_date",
    "last_contact_at": "last_contact",
}
ORDERING_CHOICES = [*ORDERINGS, *(f"-{name}" for name in ORDERINGS)]
PLAUSIBLE_DAY = validate.Range(EARLIEST_DAY, LATEST_DAY, error="Enter a date between 1900 and 2200.")


class SelectionFilterArgs(Schema):
    """The list's filters that also select accounts for a bulk change (the list page's own filters)."""

    status = fields.Enum(Status, by_value=True)
    collector = fields.Integer(validate=validate.Range(0, 2**31 - 1), metadata={"description": "0: unassigned"})
    min_balance = MoneyField(minimum=Decimal(0))
    max_balance = MoneyField(minimum=Decimal(0))
    due_after = fields.Date(validate=PLAUSIBLE_DAY)
    due_before = fields.Date(validate=PLAUSIBLE_DAY)
    priority = fields.Integer(validate=validate.Range(0, 3))
    search = fields.String(validate=validate.Length(max=100))
    aging = fields.String(validate=validate.OneOf(list(aging.BY_KEY)))
    plan = fields.String(
        validate=validate.OneOf(PLAN_FILTERS),
        metadata={"description": "due_today: a promise or instalment due today; broken: the latest plan is broken"},
    )

    @validates_schema
    def ranges_in_order(self, data, **kwargs):
        for low, high in (
            ("min_balance", "max_balance"),
            ("due_after", "due_before"),
            ("created_after", "created_before"),
        ):
            if data.get(low) is not None and data.get(high) is not None and data[high] < data[low]:
                raise ValidationError(f"Must not be below {low}.", high)


class AccountFilterArgs(SelectionFilterArgs):
    created_after = fields.AwareDateTime(default_timezone=None)
    created_before = fields.AwareDateTime(default_timezone=None)
    ordering = fields.String(load_default="-created_at", validate=validate.OneOf(ORDERING_CHOICES))


class AccountListArgs(paging.PageArgs, AccountFilterArgs):
    pass


class AccountRowSchema(Schema):
    id = fields.Integer()
    external_ref = fields.String()
    debtor_name = fields.String()
    creditor_name = fields.String(allow_none=True)
    status = fields.String()
    priority = fields.Integer()
    original_amount = Money()
    current_balance = Money()
    collector_id = fields.Integer(attribute="assigned_collector_id", allow_none=True)
    collector_name = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    last_contact_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class ActivitySchema(Schema):
    id = fields.Integer()
    activity_type = fields.String(attribute="kind")
    description = fields.String(attribute="body")
    metadata = fields.Dict(attribute="details")
    user_name = fields.Function(lambda a: a.actor.full_name if a.actor else "System")
    created_at = fields.DateTime()


class DebtorSchema(Schema):
    id = fields.Integer()
    debtor_ref = fields.String(allow_none=True)
    full_name = fields.String()
    ssn_last4 = fields.Function(lambda d: d.masked_ssn, metadata={"description": "masked: ***-**-1234"})
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address_line1 = fields.String(allow_none=True)
    address_line2 = fields.String(allow_none=True)
    address_city = fields.String(attribute="city", allow_none=True)
    address_state = fields.String(attribute="state", allow_none=True)
    address_zip = fields.String(attribute="postal_code", allow_none=True)


class CollectorRefSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()


class AccountSchema(Schema):
    id = fields.Integer()
    external_ref = fields.String()
    account_type = fields.String(allow_none=True)
    creditor_name = fields.Function(lambda a: a.creditor.name if a.creditor else None)
    status = fields.String()
    priority = fields.Integer()
    original_amount = Money()
    current_balance = Money()
    due_date = fields.Date(allow_none=True)
    last_contact_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    debtor = fields.Nested(DebtorSchema)
    assigned_to = fields.Nested(CollectorRefSchema, attribute="assigned_collector", allow_none=True)
    recent_activities = fields.Method("_recent")

    def _recent(self, account) -> list:
        entries = queries.get_timeline(account, 1, TIMELINE_IN_DETAIL).items
        return ActivitySchema(many=True).dump(entries)


class TransitionSchema(Schema):
    new_status = fields.Enum(Status, by_value=True, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=services.MAX_NOTE_LENGTH))


class AssignSchema(Schema):
    collector_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class NoteSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.MAX_NOTE_LENGTH))


class AccountChangeSchema(Schema):
    priority = fields.Integer(validate=validate.Range(0, 3))
    due_date = fields.Date(allow_none=True, validate=PLAUSIBLE_DAY, metadata={"description": "null clears it"})

    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("Send priority, due_date or both.", "priority")


CSV_RESPONSE = {
    200: {
        "description": "The filtered accounts as a CSV file, streamed.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def to_filters(args: dict) -> WorklistFilters:
    ordering = args["ordering"]
    return WorklistFilters(
        status=args.get("status"),
        priority=args.get("priority"),
        collector_id=args.get("collector"),
        balance_min=args.get("min_balance"),
        balance_max=args.get("max_balance"),
        due_from=args.get("due_after"),
        due_to=args.get("due_before"),
        created_from=args.get("created_after"),
        created_to=args.get("created_before"),
        q=(args.get("search") or "").strip(),
        aging=args.get("aging"),
        plan=args.get("plan"),
        sort=ORDERINGS[ordering.lstrip("-")],
        direction="desc" if ordering.startswith("-") else "asc",
    )


@bp.route("/", methods=["GET"])
@bp.arguments(AccountListArgs, location="query")
@bp.response(200, paging.page_schema(AccountRowSchema, "AccountPage"))
def list_accounts(args):
    """The caller's accounts (an admin's agency, a collector's own), filtered and ordered like the worklist.

    Keyset pages: a cursor names the row it continues from (its sort value and id) and the way (next or
    previous), so a page never repeats or skips rows when accounts are added before it."""
    filters, size = to_filters(args), args["page_size"]
    position = paging.decode(args["cursor"])
    backwards = position.get("d") == "p"
    following = _cursor_row(position, args["ordering"])
    if backwards:
        filters = replace(filters, direction="asc" if filters.direction == "desc" else "desc")
    page = queries.list_accounts(current_user, filters, 1, size, following=following)
    rows, more = (page.items[::-1], page.has_next) if backwards else (page.items, page.has_next)
    has_next, has_previous = (True, more) if backwards else (more, following is not None)
    next_position = _position(rows[-1], args["ordering"], "n") if rows and has_next else None
    previous_position = _position(rows[0], args["ordering"], "p") if rows and has_previous else None
    return paging.ListPage(rows, paging.link(next_position), paging.link(previous_position))


def _sort_column(ordering: str):
    return SORTS[ORDERINGS[ordering.lstrip("-")]]


def _position(row, ordering: str, way: str) -> dict:
    """The cursor continuing from ``row`` (``way``: "n" the rows after it, "p" those before it)."""
    return {"s": ordering, "v": _json_value(getattr(row, _sort_column(ordering).key)), "i": row.id, "d": way}


def _json_value(value):
    if value is None or isinstance(value, int):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)  # a datetime is a date


def _cursor_row(position: dict, ordering: str) -> tuple | None:
    """(sort value, id) of the row a cursor continues from, None for the first page; BadCursor for a cursor of
    another ordering or one this API did not write."""
    if not position:
        return None
    if position.get("s") != ordering or position.get("d") not in ("n", "p") or "v" not in position:
        raise paging.BadCursor()
    account_id = paging.position_int(position, "i")
    if account_id is None:
        raise paging.BadCursor()
    return _cursor_value(position["v"], _sort_column(ordering).type.python_type), account_id


def _cursor_value(value, python_type):
    if value is None:
        return None
    try:
        if python_type is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if python_type is Decimal and isinstance(value, str):
            return Decimal(value)
        if python_type in (date, datetime) and isinstance(value, str):
            parsed = python_type.fromisoformat(value)
            if python_type is date or parsed.tzinfo is not None:
                return parsed
    except (ValueError, ArithmeticError):
        pass
    raise paging.BadCursor()


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
