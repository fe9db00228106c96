"""``/api/v1/accounts/bulk/`` and ``/api/v1/bulk/{id}/`` (admins): a bulk change through the bulk pages' service,
on picked ids or on every account matching the list's filters, and its progress."""

from urllib.parse import urlencode

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.accounts.followups import MAX_REASON
from app.accounts.states import Status
from app.agencyday import is_plausible_day
from app.api import limits
from app.api.account_schemas import SelectionFilterArgs
from app.api.core import ID, ApiBlueprint
from app.api.security import guard
from app.auth.tokens import Scope
from app.bulk import services
from app.bulk.assign import MAX_COLLECTORS
from app.bulk.distribution import MODES, ROUND_ROBIN
from app.bulk.selection import MAX_IDS, Selection

bp = ApiBlueprint("api_bulk", __name__, url_prefix="/api/v1", description="Bulk changes of accounts (admins).")
limits.apply(bp)
guard(bp, Scope.WRITE, admin_only=True)
POSITIVE_ID = validate.Range(1, 2**31 - 1)
# The API's filter names -> the list page's query parameters, which a stored selection keeps.
PAGE_FILTERS = {
    "status": "status",
    "collector": "collector",
    "min_balance": "balance_min",
    "max_balance": "balance_max",
    "due_after": "due_from",
    "due_before": "due_to",
    "priority": "priority",
    "search": "q",
    "aging": "aging",
    "plan": "plan",
}


class AssignParams(Schema):
    collector_ids = fields.List(
        fields.Integer(validate=POSITIVE_ID), required=True, validate=validate.Length(1, MAX_COLLECTORS)
    )
    mode = fields.String(load_default=ROUND_ROBIN, validate=validate.OneOf(list(MODES)))


class PriorityParams(Schema):
    priority = fields.Integer(required=True, validate=validate.Range(0, 3))


class StatusParams(Schema):
    status = fields.Enum(Status, by_value=True, required=True)

    @post_load
    def as_value(self, data, **kwargs):
        return {"status": data["status"].value}


def plausible_time(value) -> None:
    """The app's date rule (1900 to 2200) for an instant too: beyond it the agency's wall clock can overflow."""
    if not is_plausible_day(value.date()):
        raise ValidationError("Enter a time between 1900 and 2200.")


class FollowUpParams(Schema):
    due_at = fields.AwareDateTime(required=True, default_timezone=None, validate=plausible_time)
    reason = fields.String(required=True, validate=validate.Length(1, MAX_REASON))

    @post_load
    def as_text(self, data, **kwargs):
        return {**data, "due_at": data["due_at"].isoformat()}


# Each action's parameters, typed here so the action's own check (``BulkAction.prepare``) gets what a form sends.
PARAMS = {"assign": AssignParams, "priority": PriorityParams, "status": StatusParams, "follow_up": FollowUpParams}


class SelectionSchema(Schema):
    ids = fields.List(fields.Integer(validate=POSITIVE_ID), validate=validate.Length(1, MAX_IDS))
    filters = fields.Nested(SelectionFilterArgs, metadata={"description": "the list's filters; {} is every account"})

    @validates_schema
    def one_of_them(self, data, **kwargs):
        if ("ids" in data) == ("filters" in data):
            raise ValidationError("Send either ids or filters.", "ids")


class BulkRequestSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(list(PARAMS)))
    selection = fields.Nested(SelectionSchema, required=True)
    params = fields.Dict(
        load_default=dict,
        metadata={
            "description": "assign: collector_ids, mode; priority: priority; status: status; follow_up: due_at, reason"
        },
    )

    @post_load
    def typed_params(self, data, **kwargs):
        try:
            data["params"] = PARAMS[data["action"]]().load(data["params"])
        except ValidationError as exc:
            raise ValidationError({"params": exc.messages}) from None
        return data


class OperationSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    status = fields.String()
    total = fields.Integer()
    processed = fields.Integer()
    progress = fields.Integer(attribute="percent", metadata={"description": "percent of the accounts done"})
    counts = fields.Function(lambda o: {k: v for k, v in o.counts.items() if k != "cursor"})
    message = fields.String()
    params = fields.Dict()
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda o: operation_url(o))


def operation_url(operation) -> str:
    return url_for("api_bulk.get_operation", operation_id=operation.id, _external=True)


def to_selection(data: dict) -> Selection:
    """The request's selection as the bulk service keeps it (the list page's query string for filters)."""
    if "ids" in data:
        return Selection(ids=tuple(sorted(set(data["ids"]))))
    filters = data["filters"]
    query = {PAGE_FILTERS[name]: _query_value(value) for name, value in filters.items()}
    query.setdefault("status", "all")  # the page's list opens on open accounts; the API's on every account
    return Selection(query=urlencode(query))


def _query_value(value) -> str:
    return str(getattr(value, "value", value))


@bp.route("/accounts/bulk/", methods=["POST"])
@bp.arguments(BulkRequestSchema)
@bp.response(200, OperationSchema, description="The operation ran now: its outcome.")
@bp.alt_response(202, schema=OperationSchema, description="The operation runs in the background: poll its url.")
def submit(data):
    """Apply an action to picked accounts or to every account matching the list's filters (admins)."""
    operation = services.submit_operation(
        data["action"], to_selection(data["selection"]), data["params"], actor=current_user
    )
    if operation.status.active:
        return operation, 202, {"Location": operation_url(operation)}
    return operation


@bp.route(f"/bulk/<{ID}:operation_id>/", methods=["GET"])
@bp.response(200, OperationSchema)
def get_operation(operation_id: int):
    """A bulk operation of the agency: its status, progress and outcome."""
    return services.get_operation(current_user, operation_id)
