"""Consumer requests: disputes, original-creditor requests, cease requests, attorney representation, bankruptcy
and death notices. One transaction each, audited and on the account's timeline.

A dispute or original-creditor request may put the account on collection hold (``holds.decide_hold``): the
account moves to ``disputed`` (a system transition) until the verification, or the original creditor's name and
address, is recorded as sent; then, with no other hold left, it moves back to ``in_contact``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

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
from app.compliance.models import ConsumerRequest, RequestChannel, RequestKind
from app.compliance.request_queries import KIND_LABELS, request_text
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.sensitive import refuse_sensitive
from app.words import words

MAX_NOTE = 5000
MAX_DETAIL = 200
# Facts kept in ``details`` per kind, the first of each tuple required
DETAIL_FIELDS = {
    RequestKind.ATTORNEY: ("attorney_name", "firm", "phone", "address"),
    RequestKind.BANKRUPTCY: ("case_number", "court"),
}
# Statuses a hold does not move to disputed: settled and closed accounts are not being collected
NOT_HELD_STATUSES = frozenset({Status.DISPUTED, Status.SETTLED, Status.CLOSED})
# What a consumer may file in writing through the portal: a dispute, the original creditor, or to stop contact
PORTAL_KINDS = frozenset({RequestKind.DISPUTE, RequestKind.ORIGINAL_CREDITOR, RequestKind.CEASE})


@dataclass(frozen=True)
class Upload:
    """A file sent with a form or a request: its bytes, name and type."""

    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class NewRequest:
    """What a consumer request says, as received (checked by ``record_request``)."""

    kind: str
    channel: str
    received_on: date | None
    disputed_amount: str | Decimal | None = None  # a dispute of part of the balance; None: all of it
    duplicative: bool = False  # substantially the same as an earlier dispute, with nothing new
    details: dict | None = None
    note: str = ""


def record_request(
    account_id: int,
    new: NewRequest,
    upload: Upload | None = None,
    *,
    actor: User | None,
    via: str = "staff",
    agency_id: int | None = None,
) -> ConsumerRequest:
    """Record a consumer request on the account, with its document, and put the account on hold when due.

    Staff pass themselves as ``actor``; the portal passes ``actor=None, via="portal"`` and the ``agency_id`` of the
    debtor it authenticated (disputes and original-creditor requests only). Raises NotFound for an account the actor
    may not see and ValidationFailed for bad input (nothing is written then).
    """
    kind, channel = _parse_kind(new.kind), _parse_channel(new.channel)
    _check_via(kind, channel, actor, via)
    account = _lock_account(actor, account_id, agency_id)
    request = _new_request(account, kind, channel, new, actor)
    if upload is not None:
        request.document = documents.store(account, upload.content, upload.filename, upload.content_type, actor=actor)
    db.session.add(request)
    db.session.flush()
    _announce(account, request, actor, via)
    if request.hold and account.status not in NOT_HELD_STATUSES:
        note = f"collection on hold: {KIND_LABELS[request.kind].lower()}"
        set_status(account, Status.DISPUTED, actor, note=note, system="hold")
    refresh_contact_block(account)  # the worklist and "next account" skip it from now
    db.session.commit()
    return request


def _lock_account(actor: User | None, account_id: int, agency_id: int | None) -> Account:
    """The account, locked so two requests on it are judged one after the other (duplicates, holds)."""
    if actor is not None:
        return account_queries.get_account(actor, account_id, for_update=True)
    stmt = select(Account).where(Account.id == account_id, Account.agency_id == agency_id).with_for_update()
    account = db.session.scalars(stmt).first()
    if account is None:
        raise NotFound("Account not found.")
    return account


def _check_via(kind: RequestKind, channel: RequestChannel, actor: User | None, via: str) -> None:
    if actor is None and (via != "portal" or kind not in PORTAL_KINDS or channel != RequestChannel.PORTAL):
        raise ValidationFailed("Without a staff user, only the portal files a dispute or a request.")


def _new_request(account: Account, kind, channel, new: NewRequest, actor: User | None) -> ConsumerRequest:
    received_on = _received_on(new.received_on, account)
    note = clean_note(new.note)
    written = channel in holds.WRITTEN_CHANNELS
    request = ConsumerRequest(
        agency_id=account.agency_id,
        account_id=account.id,
        kind=kind,
        channel=channel,
        written=written,
        received_on=received_on,
        disputed_amount=_disputed_amount(new.disputed_amount, kind, account),
        details=_details(kind, new.details or {}),
        note=note or None,
        created_by_id=actor.id if actor else None,
    )
    if kind in holds.HOLDING_KINDS:
        request.duplicative = _duplicative(new.duplicative, account)
        decision = holds.decide_hold(agency_of(account), account.id, received_on, written, request.duplicative)
        request.within_period, request.hold = decision.within_period, decision.hold
    return request


def agency_of(account: Account) -> Agency:
    return db.session.get(Agency, account.agency_id)


def _parse_kind(value: str) -> RequestKind:
    try:
        return RequestKind(value)
    except ValueError:
        raise ValidationFailed("Choose the kind of request.", {"kind": "Choose the kind of request."}) from None


def _parse_channel(value: str) -> RequestChannel:
    try:
        return RequestChannel(value)
    except ValueError:
        message = "Choose how the request was received."
        raise ValidationFailed(message, {"channel": message}) from None


def _received_on(day: date | None, account: Account) -> date:
    if day is None or not is_plausible_day(day) or day > local_today(agency_of(account).timezone):
        message = "Enter the date the request was received: today or earlier."
        raise ValidationFailed(message, {"received_on": message})
    return day


def clean_note(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        message = f"Keep the note under {MAX_NOTE} characters."
        raise ValidationFailed(message, {"note": message})
    refuse_sensitive(text, "note", "note")
    return text


def _disputed_amount(raw, kind: RequestKind, account: Account) -> Decimal | None:
    """The portion disputed (None: the whole debt). Only a dispute has one."""
    if raw in (None, "") or kind != RequestKind.DISPUTE:
        return None
    limit = max(account.original_amount, account.current_balance)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > limit or value != round(value, 2):
        message = f"Enter the amount disputed, more than 0 and at most {limit}, or leave it empty for all of it."
        raise ValidationFailed(message, {"disputed_amount": message})
    return value


def _details(kind: RequestKind, raw: dict) -> dict:
    """The kind's facts (the attorney's name, firm, phone and address; a bankruptcy's case), trimmed and checked."""
    fields = DETAIL_FIELDS.get(kind, ())
    values = {name: str(raw.get(name) or "").strip() for name in fields}
    errors = {name: f"At most {MAX_DETAIL} characters." for name, value in values.items() if len(value) > MAX_DETAIL}
    if fields and not values[fields[0]]:
        errors[fields[0]] = f"Enter the {words(fields[0]).lower()}."
    if errors:
        raise ValidationFailed("Some details are not valid.", errors)
    for name, value in values.items():
        refuse_sensitive(value, name, words(name).lower())
    return {name: value for name, value in values.items() if value}


def _duplicative(flag: bool, account: Account) -> bool:
    """A dispute is duplicative only after an earlier one on the same account (1006.38(d)(2)(ii))."""
    if not flag:
        return False
    earlier = select(ConsumerRequest.id).where(
        ConsumerRequest.account_id == account.id, ConsumerRequest.kind.in_(holds.HOLDING_KINDS)
    )
    if db.session.scalar(earlier.limit(1)) is None:
        message = "There is no earlier dispute on this account for this one to repeat."
        raise ValidationFailed(message, {"duplicative": message})
    return True


def _announce(account: Account, request: ConsumerRequest, actor: User | None, via: str) -> None:
    """The timeline entry and the audit event of a new request."""
    body = request_text(request)
    add_timeline_entry(
        account, ActivityKind.REQUEST, body, actor, request_id=request.id, request_kind=request.kind.value
    )
    changes = {name: audit.json_safe(getattr(request, name)) for name in AUDITED}
    changes.update(via=via, document_sha256=request.document.sha256 if request.document else None)
    audit.record(actor, account.agency_id, "consumer_request.recorded", "consumer_request", request.id, changes)


AUDITED = ("account_id", "kind", "channel", "written", "received_on", "disputed_amount", "within_period")
AUDITED += ("duplicative", "hold", "details", "note")
