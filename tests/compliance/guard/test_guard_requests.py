"""Open consumer requests block contact (cease, attorney, bankruptcy, deceased, a hold until verification), and
the contact log service: what an allowed attempt writes, and what a refused one writes (only its audit event)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import Activity, ActivityKind
from app.audit.models import AuditEvent
from app.compliance import contacts, guard
from app.compliance.models import ContactAttempt, RequestKind
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow
from tests.compliance.guard.conftest import open_request

NOON = datetime(2026, 6, 2, 19, 0, tzinfo=UTC)  # 12:00 in San Francisco


def test_a_cease_request_blocks_all_but_a_letter(west):
    open_request(west, RequestKind.CEASE)
    call = guard.check(west, "call", NOON)
    assert [r.rule for r in call.reasons] == ["cease"] and call.next_allowed_at is None
    assert guard.check(west, "letter", NOON).allowed


def test_an_attorney_is_named_instead_of_contacting_the_consumer(west):
    details = {"name": "Jane Counsel", "firm": "Counsel & Co", "phone": "+1 415 555 0300", "address": "1 Law St"}
    open_request(west, RequestKind.ATTORNEY, details=details)
    reason = guard.check(west, "email", NOON).reasons[0]
    assert reason.rule == "attorney"
    assert reason.detail == "Represented by an attorney: contact Jane Counsel, Counsel & Co, +1 415 555 0300, 1 Law St"


@pytest.mark.parametrize("kind", [RequestKind.BANKRUPTCY, RequestKind.DECEASED])
def test_bankruptcy_and_death_block_every_channel(west, kind):
    open_request(west, kind)
    for channel in ("call", "sms", "email", "letter", "in_person"):
        assert [r.rule for r in guard.check(west, channel, NOON).reasons] == [kind.value]


def test_a_dispute_on_hold_blocks_collection_until_verification_is_sent(west):
    dispute = open_request(west, RequestKind.DISPUTE, hold=True)
    held = guard.check(west, "call", NOON)
    assert [r.rule for r in held.reasons] == ["hold"] and "until verification is sent" in held.reasons[0].detail
    dispute.resolved_at = utcnow()
    db.session.flush()
    assert guard.check(west, "call", NOON).allowed
    open_request(west, RequestKind.DISPUTE, hold=False)  # a dispute the policy does not hold for
    assert guard.check(west, "call", NOON).allowed


def test_an_allowed_attempt_is_on_the_timeline_and_audited_and_a_conversation_is_the_last_contact(west, log):
    attempt = log(west, NOON, outcome="voicemail", phone="415 555 0100", note="left a message")
    mine = (Activity.kind == ActivityKind.CONTACT, Activity.account_id == west.id)
    body = db.session.scalars(db.select(Activity.body).where(*mine)).one()
    assert body == "Call attempt · voicemail · +1 415-555-0100 — left a message"
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "contact.logged",
                                                          AuditEvent.agency_id == west.agency_id)).one()  # fmt: skip
    assert event.changes["contact_attempt_id"] == attempt.id and event.changes["outcome"] == "voicemail"
    assert west.last_contact_at is None  # a voicemail is no conversation
    log(west, NOON + timedelta(hours=1), direction="inbound", outcome="promise_to_pay")
    assert west.last_contact_at == NOON + timedelta(hours=1)


def test_a_refused_attempt_writes_nothing_but_its_audit_event_with_the_reasons(west, log, collector):
    open_request(west, RequestKind.BANKRUPTCY)
    db.session.commit()
    with pytest.raises(contacts.ContactBlocked) as refused:
        log(west, NOON, phone="+1 415 555 0100")
    assert refused.value.status == 409 and refused.value.decision.reasons[0].rule == "bankruptcy"
    assert (
        db.session.scalar(db.select(db.func.count(ContactAttempt.id)).where(ContactAttempt.account_id == west.id)) == 0
    )
    blocked = (AuditEvent.action == "contact.blocked", AuditEvent.agency_id == west.agency_id)
    event = db.session.scalars(db.select(AuditEvent).where(*blocked)).one()
    assert event.changes["rules"] == ["bankruptcy"] and event.changes["channel"] == "call"
    assert event.changes["at"] == NOON.isoformat() and event.changes["reasons"][0]["next_allowed_at"] is None
    assert event.actor_id == collector.id


def test_the_account_keeps_until_when_calls_are_blocked(west, log, afternoon_in_san_francisco):
    for minute in range(7):
        log(west, utcnow() - timedelta(minutes=8 - minute))
    assert west.contact_blocked_until is not None and west.contact_blocked_until > utcnow()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"outcome": "maybe"}, "outcome"),
        ({"phone": "call me"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"note": "x" * 5001}, "note"),
        ({"note": "card 4111 1111 1111 1111"}, "note"),
    ],
)
def test_bad_input_is_refused_on_its_field(west, collector, fields, field):
    values = dict(channel="call", direction="outbound", outcome="no_answer") | fields
    with pytest.raises(ValidationFailed) as refused:
        contacts.log_attempt(collector, west.id, at=NOON, **values)
    assert field in refused.value.fields


@pytest.mark.parametrize(
    "at",
    [datetime(2026, 6, 2, 12, 0), datetime(1850, 1, 1, tzinfo=UTC), "future"],
)
def test_a_time_without_zone_absurd_or_in_the_future_is_refused(west, collector, at):
    at = utcnow() + timedelta(hours=1) if at == "future" else at
    with pytest.raises(ValidationFailed):
        contacts.log_attempt(collector, west.id, channel="call", direction="outbound", outcome="busy", at=at)


def test_another_collectors_or_agencys_account_is_not_found(west, other_collector, foreign):
    for actor, account in ((other_collector, west), (foreign.admin, west)):
        with pytest.raises(NotFound):
            contacts.log_attempt(actor, account.id, channel="call", direction="outbound", outcome="busy", at=NOON)
