"""Sending a validation notice: the PDF's content in both languages, the stored bytes and hash, the row, the
timeline and the audit; the refusals; the countdown from the first conversation."""

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import Activity, ActivityKind
from app.audit.models import AuditEvent
from app.compliance import documents, notice_queries
from app.compliance.models import Document, Outcome, ValidationNotice
from app.compliance.notices import send_notice
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from tests.compliance.notices_support import TODAY, converse, dress, freeze_today, itemize, pdf_text

SENT = date(2026, 12, 8)  # the period ends 2027-01-14 (tests/compliance/test_period_ends.py works it out)


@pytest.fixture
def ready(clock, assigned_account):
    """An assigned account with addresses and an itemization, on a fixed day."""
    freeze_today()
    dress(assigned_account)
    itemize(assigned_account)
    return assigned_account


def _send(actor, account, **changes):
    return send_notice(actor, account.id, **({"sent_on": SENT, "channel": "mail", "language": "en"} | changes))


def test_a_notice_is_stored_with_its_hash_row_timeline_and_audit(ready, collector):
    notice = _send(collector, ready)
    assert (notice.sent_on, notice.channel, notice.language) == (SENT, "mail", "en")
    assert notice.period_ends == date(2027, 1, 14)
    content = documents.read(notice.document)
    assert content.startswith(b"%PDF") and notice.document.content_type == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == notice.document.sha256 and notice.document.size == len(content)
    entry = db.session.scalars(select(Activity).where(Activity.kind == ActivityKind.VALIDATION_NOTICE)).one()
    assert entry.body == "Validation notice sent by mail (English); validation period ends 2027-01-14"
    assert entry.account_id == ready.id and entry.actor_id == collector.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "validation_notice.sent")).one()
    assert event.entity_id == str(notice.id) and event.changes["sha256"] == notice.document.sha256


ENGLISH = [
    "is a debt collector. We are trying to collect a debt that you owe to Collections Trust LLC",
    "You had an account from First Bank of Springfield with account number",
    "The original creditor of this debt is Springfield Retail Card.",
    "As of June 30, 2026 (the charge-off date), you owed: $985.00",
    "You were charged this amount in interest: + $10.00",
    "You were charged this amount in fees: + $5.00",
    "You paid or were credited this amount toward the debt: - $0.00",
    "Total amount of the debt now: $1,000.00",
    "How can you dispute the debt?",
    "Call or write to us by January 14, 2027, to dispute all or part of the debt.",
    "If you write to us by January 14, 2027, we must stop collection on any amount you dispute",
    "What else can you do?",
    "Write to ask for the name and address of the original creditor",
    "Go to www.cfpb.gov/debt-collection to learn more about your rights under federal law.",
    "How do you want to respond?",
    "This is not my debt.",
    "The amount is wrong.",
    "I want you to send me the name and address of the original creditor.",
    "Sent on December 8, 2026",
]
SPANISH = [
    "es un cobrador de deudas. Estamos tratando de cobrar una deuda que usted le debe a Collections Trust LLC",
    "Usted tenía una cuenta de First Bank of Springfield con el número de cuenta",
    "El acreedor original de esta deuda es Springfield Retail Card.",
    "Al 30 de junio de 2026 (la fecha de cancelación contable), usted debía: $985.00",
    "Se le cobró esta cantidad en intereses: + $10.00",
    "Cantidad total de la deuda ahora: $1,000.00",
    "¿Cómo puede usted disputar la deuda?",
    "Llámenos o escríbanos a más tardar el 14 de enero de 2027, para disputar toda la deuda o parte de ella.",
    "Si nos escribe a más tardar el 14 de enero de 2027, debemos dejar de cobrar",
    "Visite www.cfpb.gov/debt-collection para obtener más información sobre sus derechos",
    "¿Cómo desea responder?",
    "Esta deuda no es mía.",
    "Quiero que me envíen el nombre y la dirección del acreedor original.",
    "Enviado el 8 de diciembre de 2026",
]
BOTH = ["12 Harbor Way", "Boston, MA 02110", "José Núñez", "400 Elm Street", "Springfield, IL 62701"]


@pytest.mark.parametrize(("language", "expected", "absent"), [("en", ENGLISH, SPANISH), ("es", SPANISH, ENGLISH)])
def test_the_pdf_holds_every_element_in_its_language(ready, collector, agency, language, expected, absent):
    notice = _send(collector, ready, language=language)
    text = pdf_text(documents.read(notice.document))
    for phrase in [*expected, *BOTH, agency.name, ready.external_ref]:
        assert phrase in text, phrase
    for phrase in absent:  # a notice is complete in one language: no sentence of the other
        assert phrase not in text, phrase


def test_payments_since_placement_join_the_credits_line(ready, collector):
    ready.current_balance = Decimal("900.00")
    text = pdf_text(documents.read(_send(collector, ready).document))
    assert "toward the debt: - $100.00" in text and "Total amount of the debt now: $900.00" in text


def _nothing_written(account) -> bool:
    notices = db.session.scalar(select(func.count()).select_from(ValidationNotice))
    stored = db.session.scalar(select(func.count()).select_from(Document).where(Document.account_id == account.id))
    return notices == 0 and stored == 0


def test_an_account_without_itemization_cannot_get_a_notice(clock, assigned_account, collector):
    freeze_today()
    with pytest.raises(ValidationFailed, match="Cannot send notice"):
        _send(collector, assigned_account)
    assert _nothing_written(assigned_account)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sent_on": date(2027, 1, 5)}, "sent_on"),  # tomorrow
        ({"sent_on": date(2025, 12, 1)}, "sent_on"),  # over a year ago
        ({"sent_on": date(2026, 6, 29)}, "sent_on"),  # before the itemization date
        ({"channel": "fax"}, "channel"),
        ({"language": "fr"}, "language"),
    ],
)
def test_implausible_input_is_refused_and_writes_nothing(ready, collector, changes, field):
    with pytest.raises(ValidationFailed) as caught:
        _send(collector, ready, **changes)
    assert field in caught.value.fields
    assert _nothing_written(ready)


def test_someone_elses_account_is_not_found(ready, other_collector, foreign):
    for actor in (other_collector, foreign.admin):
        with pytest.raises(NotFound):
            _send(actor, ready)


def test_the_first_conversation_starts_the_countdown(ready, agency):
    converse(ready, datetime(2026, 12, 30, 15, tzinfo=UTC), Outcome.VOICEMAIL)  # not a conversation
    assert notice_queries.notice_countdown(ready, TODAY) is None
    converse(ready, datetime(2027, 1, 2, 4, tzinfo=UTC))  # 23:00 on 1 January in New York
    converse(ready, datetime(2027, 1, 3, 15, tzinfo=UTC), Outcome.PROMISE_TO_PAY)
    due = notice_queries.notice_countdown(ready, TODAY)
    assert due.due_on == date(2027, 1, 6) and due.days_left == 2 and not due.overdue
    assert due.words == "Validation notice due by 2027-01-06 (2 days left)"
    agency.compliance_settings = {"notice_days_after_contact": 2}  # due on the 3rd: a day late on the 4th
    assert notice_queries.notice_countdown(ready, TODAY).words == (
        "Validation notice overdue by 1 day (due by 2027-01-03)"
    )


def test_a_notice_sent_stops_the_countdown(ready, collector):
    converse(ready, datetime(2026, 12, 7, 15, tzinfo=UTC))
    assert notice_queries.notice_countdown(ready, TODAY).days_left == -23
    _send(collector, ready)
    assert notice_queries.notice_countdown(ready, TODAY) is None


def test_notices_due_lists_the_agencys_accounts_most_urgent_first(ready, agency, admin, foreign):
    from tests import factories as f

    later = f.AccountFactory(agency=agency)
    converse(later, datetime(2027, 1, 3, 15, tzinfo=UTC))
    converse(ready, datetime(2026, 12, 20, 15, tzinfo=UTC))
    converse(foreign.account, datetime(2026, 12, 1, 15, tzinfo=UTC))
    due = notice_queries.notices_due(agency.id, TODAY)
    assert [(d.account.id, d.due_on, d.overdue) for d in due] == [
        (ready.id, date(2026, 12, 25), True),
        (later.id, date(2027, 1, 8), False),
    ]
    assert [d.words for d in due] == [
        "Validation notice overdue by 10 days (due by 2026-12-25)",
        "Validation notice due by 2027-01-08 (4 days left)",
    ]
