"""``/api/v1/accounts/{id}/plans/`` and ``/promises/``: an account's payment plans, settlement offers and promises
to pay, through the services the account page uses. Money as decimal strings."""

from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.agencyday import EARLIEST_DAY, LATEST_DAY
from app.api import limits
from app.api.core import ID, ApiBlueprint, Money, MoneyField
from app.api.security import guard
from app.auth.tokens import Scope
from app.errors import NotFound
from app.plans import services
from app.plans.models import Frequency, PlanKind
from app.plans.schedule import MAX_INSTALMENTS
from app.plans.terms import Terms

bp = ApiBlueprint("api_plans", __name__, url_prefix="/api/v1/accounts", description="Promises, plans, settlements.")
limits.apply(bp)
guard(bp, Scope.WRITE)
PLAUSIBLE_DAY = validate.Range(EARLIEST_DAY, LATEST_DAY, error="Enter a date between 1900 and 2200.")
PLAN_KINDS = (PlanKind.PLAN, PlanKind.SETTLEMENT)


class InstalmentSchema(Schema):
    due = fields.Date(attribute="due_on")
    amount = Money()
    amount_paid = Money()
    state = fields.Function(lambda i: i.state.value)


class AgreementSchema(Schema):
    id = fields.Integer()
    account = fields.Integer(attribute="account_id")
    state = fields.Function(lambda p: p.state.value)
    created_at = fields.DateTime()
    instalments = fields.Nested(InstalmentSchema, many=True)


class PlanSchema(AgreementSchema):
    kind = fields.Function(lambda p: p.kind.value)
    total = Money()
    frequency = fields.Function(lambda p: p.frequency and p.frequency.value, allow_none=True)
    balance_at_start = Money()
    waived_amount = Money()


class PromiseSchema(AgreementSchema):
    amount = Money(attribute="total")
    due = fields.Function(lambda p: p.instalments[0].due_on.isoformat())


class NewPlanSchema(Schema):
    total = MoneyField(required=True)
    frequency = fields.Enum(Frequency, by_value=True, required=True)
    count = fields.Integer(validate=validate.Range(1, MAX_INSTALMENTS))
    amount = MoneyField(metadata={"description": "each instalment's amount, instead of count"})
    first_due = fields.Date(required=True, validate=PLAUSIBLE_DAY)
    kind = fields.String(
        load_default=PlanKind.PLAN.value,
        validate=validate.OneOf([k.value for k in PLAN_KINDS]),
        metadata={"description": "settlement: settle the balance for less, within the creditor's bounds"},
    )

    @validates_schema
    def count_or_amount(self, data, **kwargs):
        if ("count" in data) == ("amount" in data):
            raise ValidationError("Send either count or amount.", "count")


class NewPromiseSchema(Schema):
    amount = MoneyField(required=True)
    due = fields.Date(required=True, validate=PLAUSIBLE_DAY)


@bp.route(f"/<{ID}:account_id>/plans/", methods=["GET"])
@bp.response(200, PlanSchema(many=True))
def list_plans(account_id: int):
    """The account's plans and settlement offers, newest first (promises are under ``/promises/``)."""
    return [p for p in services.list_plans(account_id, viewer=current_user) if p.kind in PLAN_KINDS]


@bp.route(f"/<{ID}:account_id>/plans/", methods=["POST"])
@bp.arguments(NewPlanSchema)
@bp.response(201, PlanSchema)
def create_plan(data, account_id: int):
    """Agree a plan (or a settlement offer) of ``count`` instalments, or of instalments of ``amount``; the last one
    absorbs the rounding. 409 while another promise or plan is active; 422 for terms the account refuses."""
    terms = Terms(
        PlanKind(data["kind"]),
        data["total"],
        data["first_due"],
        data["frequency"],
        data.get("count"),
        data.get("amount"),
    )
    return services.create_plan(account_id, terms, actor=current_user)


@bp.route(f"/<{ID}:account_id>/plans/<{ID}:plan_id>/cancel/", methods=["POST"])
@bp.response(200, PlanSchema)
def cancel_plan(account_id: int, plan_id: int):
    """End an active plan; the account goes back to negotiating. 409 for a plan no longer active."""
    return _cancel(account_id, plan_id, PLAN_KINDS)


@bp.route(f"/<{ID}:account_id>/promises/", methods=["GET"])
@bp.response(200, PromiseSchema(many=True))
def list_promises(account_id: int):
    """The account's promises to pay, newest first."""
    return [p for p in services.list_plans(account_id, viewer=current_user) if p.kind == PlanKind.PROMISE]


@bp.route(f"/<{ID}:account_id>/promises/", methods=["POST"])
@bp.arguments(NewPromiseSchema)
@bp.response(201, PromiseSchema)
def create_promise(data, account_id: int):
    """Record a promise to pay ``amount`` on ``due``."""
    terms = Terms(PlanKind.PROMISE, data["amount"], data["due"])
    return services.create_plan(account_id, terms, actor=current_user)


@bp.route(f"/<{ID}:account_id>/promises/<{ID}:plan_id>/cancel/", methods=["POST"])
@bp.response(200, PromiseSchema)
def cancel_promise(account_id: int, plan_id: int):
    """End an active promise."""
    return _cancel(account_id, plan_id, (PlanKind.PROMISE,))


def _cancel(account_id: int, plan_id: int, kinds):
    """The plan of this account and kind, cancelled; another account's or kind's id is a 404 like a missing one."""
    plan, account = services.get_plan(current_user, plan_id)
    if account.id != account_id or plan.kind not in kinds:
        raise NotFound("Plan not found.")
    return services.cancel_plan(plan.id, actor=current_user)
