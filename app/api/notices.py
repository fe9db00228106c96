"""``/api/v1/accounts/{id}/validation-notices``: record a validation notice sent (its PDF generated and kept),
list an account's notices, download a notice's PDF. The same services as the account page."""

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.accounts.queries import get_account
from app.api import limits
from app.api.account_schemas import PLAUSIBLE_DAY
from app.api.core import ID, ApiBlueprint
from app.api.security import guard
from app.auth.tokens import Scope
from app.compliance import notice_queries, notices
from app.compliance.downloads import document_download
from app.compliance.notice_text import LANGUAGES

bp = ApiBlueprint(
    "api_notices", __name__, url_prefix="/api/v1/accounts", description="Validation notices (Regulation F)."
)
limits.apply(bp)
guard(bp, Scope.WRITE)
PDF_RESPONSE = {200: {"description": "The notice's PDF as sent.", "content": {"application/pdf": {}}}}


class NoticeInSchema(Schema):
    sent_on = fields.Date(required=True, validate=PLAUSIBLE_DAY)
    channel = fields.String(required=True, validate=validate.OneOf(notices.CHANNELS))
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))


class NoticeSchema(Schema):
    id = fields.Integer()
    sent_on = fields.Date()
    channel = fields.String()
    language = fields.String()
    validation_period_ends = fields.Date(attribute="period_ends")
    sha256 = fields.Function(lambda n: n.document.sha256)
    pdf_url = fields.Function(lambda n: url_for("api_notices.pdf", account_id=n.account_id, notice_id=n.id))


@bp.route(f"/<{ID}:account_id>/validation-notices/", methods=["POST"])
@bp.arguments(NoticeInSchema)
@bp.response(201, NoticeSchema)
def send(data, account_id: int):
    """Generate and keep the account's validation notice as sent on ``sent_on`` (422 without an itemization)."""
    return notices.send_notice(current_user, account_id, **data)


@bp.route(f"/<{ID}:account_id>/validation-notices/", methods=["GET"])
@bp.response(200, NoticeSchema(many=True))
def list_notices(account_id: int):
    """The account's validation notices, latest first."""
    return notice_queries.list_notices(get_account(current_user, account_id))


@bp.route(f"/<{ID}:account_id>/validation-notices/<{ID}:notice_id>/pdf/", methods=["GET"])
@bp.doc(responses=PDF_RESPONSE)
def pdf(account_id: int, notice_id: int):
    """The notice's PDF exactly as stored (its SHA-256 is the list's ``sha256``)."""
    return document_download(*notice_queries.notice_pdf(current_user, account_id, notice_id))
