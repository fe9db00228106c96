"""Closing a consumer request: the verification (or the original creditor's name and address) recorded as sent
with its copy, or the request ended with a note; the hold released when none is left."""

from datetime import date

from app.accounts import queries as account_queries
from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry, set_status
from app.accounts.states import Status
from app.agencies.models import Agency
from app.agencyday import is_plausible_day, local_today
from app.audit import services as audit
from app.auth.models import User
from app.compliance import documents, holds
from app.compliance.contacts import refresh_contact_block
from app.compliance.models import ConsumerRequest, RequestKind
from app.compliance.request_queries import KIND_LABELS, get_request
from app.compliance.requests import Upload, clean_note
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow


def resolve_request(
    request_id: int,
    sent_on: date | None,
    upload: Upload | None = None,
    note: str = "",
    *,
    actor: User,
    account_id: int | None = None,
) -> ConsumerRequest:
    """Close a request: for a dispute, the verification sent on ``sent_on`` (for an original-creditor request,
    the creditor's name and address), its copy attached; for the other kinds, the request ended (e.g. the attorney
    no longer represents the consumer), with a note. With no other hold left the account leaves ``disputed``.

    Raises NotFound for a request the actor may not see (or not of ``account_id`` when given), Conflict for one
    already closed, ValidationFailed for a missing document or a bad date.
    """
    request = get_request(actor, request_id, account_id)
    account = account_queries.get_account(actor, request.account_id, for_update=True)
    for row in (account, request):  # read again under the account's lock: a racing writer's commit is seen
        db.session.refresh(row)
    if request.resolved_at is not None:
        raise Conflict("This request is already closed.")
    _check_resolution(request, sent_on, upload, note)
    if upload is not None:
        document = documents.store(account, upload.content, upload.filename, upload.content_type, actor=actor)
        request.resolution_document = document
    request.resolved_at = utcnow()
    request.details = {**(request.details or {}), "sent_on": sent_on.isoformat() if sent_on else None}
    request.note = "\n".join(filter(None, [request.note, clean_note(note)])) or None
    _announce_resolution(account, request, actor)
    if request.hold and account.status == Status.DISPUTED and not holds.on_hold(account.id):
        set_status(account, Status.IN_CONTACT, actor, note="collection hold released", system="hold_released")
    refresh_contact_block(account)
    db.session.commit()
    return request


def _check_resolution(request: ConsumerRequest, sent_on: date | None, upload: Upload | None, note: str) -> None:
    if request.kind in holds.HOLDING_KINDS:
        errors = {}
        if upload is None:
            errors["document"] = "Attach the copy of what was sent."
        if sent_on is None or not is_plausible_day(sent_on) or sent_on < request.received_on:
            errors["sent_on"] = "Enter the date it was sent: on or after the day the request was received."
        elif sent_on > local_today(db.session.get(Agency, request.agency_id).timezone):
            errors["sent_on"] = "The date it was sent cannot be in the future."
        if errors:
            raise ValidationFailed("Record what was sent, with its date and a copy.", errors)
    elif not (note or "").strip():
        raise ValidationFailed("Say why the request ends.", {"note": "Say why the request ends."})


def _announce_resolution(account: Account, request: ConsumerRequest, actor: User) -> None:
    sent = request.details.get("sent_on")
    what = RESOLUTION_TEXT.get(request.kind, "ended")
    body = f"{KIND_LABELS[request.kind]} of {request.received_on.isoformat()}: {what}" + (f" {sent}" if sent else "")
    add_timeline_entry(account, ActivityKind.REQUEST, body, actor, request_id=request.id, resolved=True)
    document = request.resolution_document
    changes = {
        "resolved_at": {"old": None, "new": audit.json_safe(request.resolved_at)},
        "sent_on": sent,
        "document_sha256": document.sha256 if document else None,
    }
    audit.record(actor, account.agency_id, "consumer_request.resolved", "consumer_request", request.id, changes)


RESOLUTION_TEXT = {
    RequestKind.DISPUTE: "verification sent",
    RequestKind.ORIGINAL_CREDITOR: "original creditor's name and address sent",
}
