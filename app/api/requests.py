"""``/api/v1/accounts/{id}/requests/``: disputes, original-creditor, cease, attorney, bankruptcy and death
requests of an account, and closing one (the verification sent), through the same services as the account page."""

import base64
import binascii

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.accounts import queries as account_queries
from app.agencyday import EARLIEST_DAY, LATEST_DAY, local_today
from app.api import limits
from app.api.core import ID, ApiBlueprint, Money, MoneyField
from app.api.security import guard
from app.auth.tokens import Scope
from app.compliance import documents, holds, request_queries, requests, resolution
from app.compliance.models import RequestChannel, RequestKind
from app.compliance.requests import MAX_DETAIL, MAX_NOTE, NewRequest, Upload
from app.errors import ValidationFailed

bp = ApiBlueprint("api_requests", __name__, url_prefix="/api/v1/accounts", description="Consumer requests.")
limits.apply(bp)
guard(bp, Scope.WRITE)
PLAUSIBLE_DAY = validate.Range(EARLIEST_DAY, LATEST_DAY, error="Enter a date between 1900 and 2200.")
MAX_BASE64 = (documents.MAX_BYTES + 2) // 3 * 4


class DocumentInSchema(Schema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=documents.MAX_NAME))
    content_type = fields.String(load_default="application/octet-stream", validate=validate.Length(max=100))
    content_base64 = fields.String(required=True, validate=validate.Length(min=1, max=MAX_BASE64))


class DetailsSchema(Schema):
    """The kind's facts: the attorney's (attorney_name required for an attorney), a bankruptcy's case."""

    attorney_name = fields.String(validate=validate.Length(max=MAX_DETAIL))
    firm = fields.String(validate=validate.Length(max=MAX_DETAIL))
    phone = fields.String(validate=validate.Length(max=MAX_DETAIL))
    address = fields.String(validate=validate.Length(max=MAX_DETAIL))
    case_number = fields.String(validate=validate.Length(max=MAX_DETAIL))
    court = fields.String(validate=validate.Length(max=MAX_DETAIL))


class RequestInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in RequestKind]))
    channel = fields.String(
        required=True,
        validate=validate.OneOf([c.value for c in RequestChannel]),
        metadata={"description": "letter, email and portal are written; phone and in_person oral"},
    )
    received_on = fields.Date(required=True, validate=PLAUSIBLE_DAY)
    disputed_amount = MoneyField(metadata={"description": "a dispute of part of the debt; absent: all of it"})
    duplicative = fields.Boolean(load_default=False)
    details = fields.Nested(DetailsSchema, load_default=dict)
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))
    document = fields.Nested(DocumentInSchema)


class ResolveSchema(Schema):
    sent_on = fields.Date(validate=PLAUSIBLE_DAY, metadata={"description": "required for a dispute"})
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))
    document = fields.Nested(DocumentInSchema, metadata={"description": "the copy sent; required for a dispute"})


class RequestSchema(Schema):
    id = fields.Integer()
    account_id = fields.Integer()
    kind = fields.Function(lambda r: r.kind.value)
    channel = fields.Function(lambda r: r.channel.value)
    written = fields.Boolean()
    received_on = fields.Date()
    disputed_amount = Money(allow_none=True)
    within_period = fields.Boolean(allow_none=True)
    duplicative = fields.Boolean()
    hold = fields.Boolean()
    details = fields.Dict()
    note = fields.String(allow_none=True)
    document_url = fields.Function(lambda r: _document_url(r, r.document_id), allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolution_document_url = fields.Function(lambda r: _document_url(r, r.resolution_document_id), allow_none=True)
    verification_due = fields.Function(lambda r: _verification_due(r), allow_none=True)
    sla = fields.Function(lambda r: holds.sla_state(r, current_user.agency, local_today(current_user.agency.timezone)))


def _document_url(request, document_id: int | None) -> str | None:
    if document_id is None:
        return None
    return url_for("disputes.download_document", account_id=request.account_id, document_id=document_id)


def _verification_due(request) -> str | None:
    if request.kind not in holds.HOLDING_KINDS:
        return None
    return holds.verification_due(request, current_user.agency).isoformat()


def _upload(data: dict | None) -> Upload | None:
    """The document of a JSON body (base64), or None; ValidationFailed (422) for bad base64."""
    if not data:
        return None
    try:
        content = base64.b64decode(data["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("The document is not valid base64.", {"document": "Not valid base64."}) from None
    return Upload(content, data["filename"], data["content_type"])


@bp.route(f"/<{ID}:account_id>/requests/", methods=["GET"])
@bp.response(200, RequestSchema(many=True))
def list_requests(account_id: int):
    """The account's requests, open ones first."""
    return request_queries.list_requests(account_queries.get_account(current_user, account_id))


@bp.route(f"/<{ID}:account_id>/requests/", methods=["POST"])
@bp.arguments(RequestInSchema)
@bp.response(201, RequestSchema)
def record_request(data, account_id: int):
    """Record a request; a dispute or original-creditor request may put the account on collection hold."""
    new = NewRequest(
        kind=data["kind"],
        channel=data["channel"],
        received_on=data["received_on"],
        disputed_amount=data.get("disputed_amount"),
        duplicative=data["duplicative"],
        details=data["details"],
        note=data["note"],
    )
    return requests.record_request(account_id, new, _upload(data.get("document")), actor=current_user)


@bp.route(f"/<{ID}:account_id>/requests/<{ID}:request_id>/resolve/", methods=["POST"])
@bp.arguments(ResolveSchema)
@bp.response(200, RequestSchema)
def resolve_request(data, account_id: int, request_id: int):
    """Close a request: for a dispute, the verification sent (its date and copy); 409 when already closed."""
    upload = _upload(data.get("document"))
    return resolution.resolve_request(
        request_id, data.get("sent_on"), upload, data["note"], actor=current_user, account_id=account_id
    )
