"""``/api/v1/accounts/{id}/contact-check/`` and ``/contacts/``: the contact guard and the contact log, for dialers
and other integrations (the same services as the account page)."""

from flask import jsonify
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.accounts.services import MAX_NOTE_LENGTH
from app.api import limits, paging
from app.api.core import ID, ApiBlueprint
from app.api.security import guard as require_user
from app.auth.tokens import Scope
from app.compliance import contacts
from app.compliance import guard as contact_guard
from app.compliance.models import Channel, ContactAttempt, Direction, Outcome
from app.errors import api_error_body

bp = ApiBlueprint(
    "api_contacts", __name__, url_prefix="/api/v1/accounts", description="The contact guard and the contact log."
)
limits.apply(bp)
require_user(bp, Scope.WRITE)


class ReasonSchema(Schema):
    rule = fields.String(metadata={"description": "call_frequency, conversation, time_of_day, cease, state:MA, …"})
    detail = fields.String()
    next_allowed_at = fields.DateTime(allow_none=True, metadata={"description": "null: waiting does not lift it"})


class CheckArgs(Schema):
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.CALL)
    at = fields.AwareDateTime(load_default=None, metadata={"description": "default: now"})
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.String(load_default=None, validate=validate.Length(max=254))


class DecisionSchema(Schema):
    allowed = fields.Boolean()
    reasons = fields.List(fields.Nested(ReasonSchema))
    next_allowed_at = fields.DateTime(allow_none=True, metadata={"description": "null: never by waiting"})
    debtor_local_time = fields.DateTime()
    attempts_in_window = fields.Integer(metadata={"description": "outbound call attempts in the last 7 days"})


class AttemptInSchema(Schema):
    channel = fields.Enum(Channel, by_value=True, required=True)
    direction = fields.Enum(Direction, by_value=True, required=True)
    outcome = fields.Enum(Outcome, by_value=True, required=True)
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when it happened; default now"})
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.String(load_default=None, validate=validate.Length(max=254))
    note = fields.String(load_default=None, validate=validate.Length(max=MAX_NOTE_LENGTH))


class AttemptSchema(Schema):
    id = fields.Integer()
    account_id = fields.Integer()
    channel = fields.String()
    direction = fields.String()
    outcome = fields.String()
    at = fields.DateTime()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class BlockedSchema(Schema):
    detail = fields.String()
    errors = fields.Dict()
    reasons = fields.List(fields.Nested(ReasonSchema))
    next_allowed_at = fields.DateTime(allow_none=True)


@bp.route(f"/<{ID}:account_id>/contact-check/", methods=["GET"])
@bp.arguments(CheckArgs, location="query")
@bp.response(200, DecisionSchema)
def contact_check(args, account_id: int):
    """Whether the account's consumer may be contacted on a channel at an instant (default now), every reason
    if not, and when it becomes allowed."""
    return contacts.check_contact(current_user, account_id, **args)


@bp.route(f"/<{ID}:account_id>/contacts/", methods=["POST"])
@bp.arguments(AttemptInSchema)
@bp.response(201, AttemptSchema)
@bp.alt_response(409, schema=BlockedSchema, description="The guard refused the attempt: its reasons.")
def log_contact(data, account_id: int):
    """Record a contact attempt or conversation (an outbound one is judged by the guard at its own time first)."""
    try:
        return contacts.log_attempt(current_user, account_id, **data)
    except contacts.ContactBlocked as blocked:
        return jsonify(blocked_body(blocked)), 409


def blocked_body(blocked: contacts.ContactBlocked) -> dict:
    decision: contact_guard.Decision = blocked.decision
    at = decision.next_allowed_at
    reasons = contacts.reasons_json(decision.reasons)
    return api_error_body(blocked.message) | {"reasons": reasons, "next_allowed_at": at and at.isoformat()}


@bp.route(f"/<{ID}:account_id>/contacts/", methods=["GET"])
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paging.page_schema(AttemptSchema, "ContactAttemptPage"))
def list_contacts(args, account_id: int):
    """The account's contact attempts, the latest logged first."""
    return paging.by_id_desc(contacts.list_attempts(current_user, account_id), ContactAttempt.id, args)
