"""Sending a validation notice (12 CFR 1006.34): the PDF generated from the account's itemization, stored as a
document with its hash, and the notice's row with its send date, channel, language and end of the validation
period; audited and on the timeline."""

from datetime import date, timedelta
from decimal import Decimal

from app.accounts.models import Account, ActivityKind
from app.accounts.queries import get_account
from app.accounts.services import add_timeline_entry
from app.agencies.models import Agency
from app.agencyday import local_today
from app.audit import services as audit
from app.auth.models import User
from app.compliance import documents
from app.compliance.models import Itemization, ValidationNotice
from app.compliance.notice_text import LANGUAGE_NAMES, LANGUAGES, NoticeFacts
from app.compliance.validation import period_ends
from app.errors import ValidationFailed
from app.extensions import db

CHANNELS = ("mail", "email")
CHANNEL_WORDS = {"mail": "by mail", "email": "by email"}
OLDEST_SENDING = timedelta(days=365)  # recording a notice sent more than a year ago is a typo, not a record
NO_ITEMIZATION = "Cannot send notice: the account has no itemization (import it with the placement file)."


def send_notice(actor: User, account_id: int, *, sent_on: date, channel: str, language: str) -> ValidationNotice:
    """Generate, store and record the validation notice of an account sent on ``sent_on``.

    Raises NotFound for an account the actor may not see; ValidationFailed for a channel, a language or a date
    that is not acceptable, and when the account has no itemization (or one that no longer fits its balance).
    """
    _check_choices(channel, language)
    account = get_account(actor, account_id, for_update=True)
    agency = db.session.get(Agency, account.agency_id)
    _check_sent_on(sent_on, local_today(agency.timezone))
    itemization = db.session.get(Itemization, account.id)
    if itemization is None:
        raise ValidationFailed(NO_ITEMIZATION)
    if sent_on < itemization.itemization_date:
        raise ValidationFailed("The notice cannot be sent before its itemization date.", {"sent_on": "Too early."})
    notice = _keep(actor, account, notice_facts(account, agency, itemization, sent_on, language), channel)
    db.session.commit()
    return notice


def _keep(actor: User, account: Account, facts: NoticeFacts, channel: str) -> ValidationNotice:
    """Store the notice's PDF and its row, audited and on the timeline (no commit)."""
    # Imported here: fpdf2 brings Pillow and fontTools, a large share of a process's memory, and only a
    # process that sends a notice needs them (an import worker or a web worker mostly never does).
    from app.compliance.notice_pdf import render_notice

    pdf = render_notice(facts)
    document = documents.store(account, pdf, _file_name(account, facts), "application/pdf", actor=actor)
    notice = ValidationNotice(
        agency_id=account.agency_id,
        account_id=account.id,
        sent_on=facts.sent_on,
        channel=channel,
        language=facts.language,
        period_ends=facts.period_ends,
        document_id=document.id,
        created_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    _record(actor, account, notice, document)
    return notice


def _check_choices(channel: str, language: str) -> None:
    errors = {}
    if channel not in CHANNELS:
        errors["channel"] = "Choose mail or email."
    if language not in LANGUAGES:
        errors["language"] = "Choose English (en) or Spanish (es)."
    if errors:
        raise ValidationFailed("The notice's channel or language is not valid.", errors)


def _check_sent_on(sent_on: date, today: date) -> None:
    if sent_on > today:
        raise ValidationFailed("Record a notice once it is sent.", {"sent_on": "This date is in the future."})
    if sent_on < today - OLDEST_SENDING:
        raise ValidationFailed("The date is more than a year ago.", {"sent_on": "Enter the day it was sent."})


def notice_facts(account: Account, agency: Agency, itemization: Itemization, sent_on: date, language: str):
    """What the notice prints. The itemization table ends at the account's current balance: what was paid or
    credited since placement joins the payments and credits line, so the table always adds up."""
    debtor = account.debtor
    credits = credits_since(itemization, account.current_balance)
    if credits < 0:
        raise ValidationFailed(
            "Cannot send notice: the itemization adds up to less than the current balance; re-import it."
        )
    return NoticeFacts(
        language=language,
        sent_on=sent_on,
        period_ends=period_ends(sent_on),
        agency_name=agency.name,
        agency_address=_agency_address(agency),
        consumer_name=debtor.full_name,
        consumer_address=debtor.address_lines,
        account_number=account.external_ref,
        current_creditor=account.creditor.name if account.creditor else itemization.creditor_on_date,
        creditor_on_date=itemization.creditor_on_date,
        original_creditor=itemization.original_creditor,
        reference=itemization.reference.value,
        itemization_date=itemization.itemization_date,
        amount_on_date=itemization.amount_on_date,
        interest=itemization.interest,
        fees=itemization.fees,
        payments_credits=credits,
        total_now=account.current_balance,
    )


def credits_since(itemization: Itemization, balance: Decimal) -> Decimal:
    """What the notice prints as paid or credited since the itemization date: the file's payments and credits
    and whatever has reduced the balance since placement (negative: the itemization no longer fits the balance)."""
    return itemization.amount_on_date + itemization.interest + itemization.fees - balance


def _agency_address(agency: Agency) -> list[str]:
    city_line = " ".join(p for p in (agency.city and f"{agency.city},", agency.region, agency.postal_code) if p)
    return [line for line in (agency.address_line1, agency.address_line2, city_line) if line]


def _file_name(account: Account, facts: NoticeFacts) -> str:
    return f"validation-notice-{account.external_ref}-{facts.sent_on.isoformat()}-{facts.language}.pdf"


def _record(actor: User, account: Account, notice: ValidationNotice, document) -> None:
    """The timeline entry and the audit event of a notice sent."""
    body = (
        f"Validation notice sent {CHANNEL_WORDS[notice.channel]} ({LANGUAGE_NAMES[notice.language]}); "
        f"validation period ends {notice.period_ends.isoformat()}"
    )
    add_timeline_entry(account, ActivityKind.VALIDATION_NOTICE, body, actor, validation_notice_id=notice.id)
    changes = {
        "sent_on": notice.sent_on.isoformat(),
        "channel": notice.channel,
        "language": notice.language,
        "period_ends": notice.period_ends.isoformat(),
        "document_id": document.id,
        "sha256": document.sha256,
    }
    audit.record(actor, account.agency_id, "validation_notice.sent", "validation_notice", notice.id, changes)
