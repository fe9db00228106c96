"""The accounts API's schemas: list filters and orderings, the account and its parts, the changes a client sends."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.accounts import aging, queries, services
from app.accounts.queries import WorklistFilters
from app.accounts.states import Status
from app.accounts.worklist_filters import PLAN_FILTERS
from app.agencyday import EARLIEST_DAY, LATEST_DAY
from app.api import paging
from app.api.core import Money, MoneyField

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
