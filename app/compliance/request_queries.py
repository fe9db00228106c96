"""Reading consumer requests: one (scoped), an account's list, a stored document, and their wording."""

from sqlalchemy import select

from app.accounts import queries as account_queries
from app.accounts.models import Account
from app.auth.models import User
from app.compliance import holds
from app.compliance.models import ConsumerRequest, Document, RequestKind
from app.errors import NotFound
from app.extensions import db
from app.words import words

KIND_LABELS = {
    RequestKind.DISPUTE: "Dispute",
    RequestKind.ORIGINAL_CREDITOR: "Original-creditor request",
    RequestKind.CEASE: "Cease-communication request",
    RequestKind.ATTORNEY: "Attorney representation",
    RequestKind.BANKRUPTCY: "Bankruptcy",
    RequestKind.DECEASED: "Death of the debtor",
}


def request_text(request: ConsumerRequest) -> str:
    """The timeline wording of a new request, e.g. "Dispute received 2026-12-01 by letter (written, all of the
    debt): collection on hold"."""
    facts = ["written" if request.written else "oral"]
    if request.kind == RequestKind.DISPUTE:
        facts.append(f"{request.disputed_amount} disputed" if request.disputed_amount else "all of the debt")
    if request.duplicative:
        facts.append("duplicative")
    if request.kind in holds.HOLDING_KINDS and not request.within_period:
        facts.append("after the validation period")
    channel = words(request.channel).lower()
    tail = ": collection on hold" if request.hold else ""
    received = f"{KIND_LABELS[request.kind]} received {request.received_on.isoformat()} by {channel}"
    return f"{received} ({', '.join(facts)}){tail}"


def get_request(viewer: User, request_id: int, account_id: int | None = None) -> ConsumerRequest:
    """A request on an account the viewer may see (on ``account_id`` when given); NotFound otherwise."""
    request = db.session.get(ConsumerRequest, request_id)
    if request is None or request.agency_id != viewer.agency_id or account_id not in (None, request.account_id):
        raise NotFound("Request not found.")
    account_queries.get_account(viewer, request.account_id)  # a collector's own accounts only
    return request


def get_document(viewer: User, account_id: int, document_id: int) -> Document:
    """A stored document of an account the viewer may see; NotFound otherwise (also for another account's)."""
    account = account_queries.get_account(viewer, account_id)
    document = db.session.get(Document, document_id)
    if document is None or document.account_id != account.id or document.agency_id != account.agency_id:
        raise NotFound("Document not found.")
    return document


def list_requests(account: Account) -> list[ConsumerRequest]:
    """The account's requests, open ones first, newest first."""
    stmt = (
        select(ConsumerRequest)
        .where(ConsumerRequest.account_id == account.id, ConsumerRequest.agency_id == account.agency_id)
        .order_by(ConsumerRequest.resolved_at.is_not(None), ConsumerRequest.received_on.desc(), ConsumerRequest.id)
    )
    return list(db.session.scalars(stmt))
