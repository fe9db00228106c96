"""Consumer requests and collection holds at every boundary: within and after the validation period, oral,
duplicative, two disputes, release; the dispute policy; the SLA; payment requests refused on hold."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Activity, ActivityKind
from app.accounts.states import Status
from app.audit.models import AuditEvent
from app.compliance import holds, request_queries, requests, resolution
from app.compliance.models import ConsumerRequest
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.payments.services import record, stripe_payments
from tests import factories as f
from tests.compliance.conftest import VERIFICATION, dispute, send_notice, set_policy, today


def timeline(account) -> list[str]:
    stmt = select(Activity.body).where(Activity.account_id == account.id, Activity.kind == ActivityKind.REQUEST)
    return list(db.session.scalars(stmt.order_by(Activity.id)))


def audited(action: str, account) -> list[AuditEvent]:
    """The action's events of the account's agency (PostgreSQL keeps other tests' committed events)."""
    stmt = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.agency_id == account.agency_id)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def requests_of(account) -> list[ConsumerRequest]:
    return list(db.session.scalars(select(ConsumerRequest).where(ConsumerRequest.account_id == account.id)))


def release(req, actor):
    """Record the verification sent the day the request came in."""
    return resolution.resolve_request(req.id, req.received_on, VERIFICATION, actor=actor)


def test_a_written_dispute_before_any_notice_puts_the_account_on_hold(working, collector):
    req = dispute(working, collector, disputed_amount="250.00")
    assert req.hold and req.within_period and req.written and req.disputed_amount == Decimal("250.00")
    assert working.status == Status.DISPUTED and holds.on_hold(working.id) and holds.has_open_dispute(working.id)
    assert req.document.filename == "dispute-letter.pdf" and req.created_by_id == collector.id
    assert timeline(working) == [
        f"Dispute received {req.received_on.isoformat()} by letter (written, 250.00 disputed): collection on hold"
    ]
    [event] = audited("consumer_request.recorded", working)
    assert event.changes["hold"] is True and event.changes["kind"] == "dispute"
    assert event.changes["document_sha256"] == req.document.sha256
    [status] = audited("account.status_changed", working)[-1:]
    assert status.changes["status"] == {"old": "in_contact", "new": "disputed"}


def test_on_the_periods_last_day_a_dispute_is_within_it_and_the_next_day_late(working, collector, agency):
    ends = today(working) - timedelta(days=1)
    send_notice(working, ends)
    on_time = dispute(working, collector, received_on=ends)
    assert on_time.within_period and on_time.hold
    set_policy(agency, hold_late_disputes=False)
    late = dispute(working, collector, received_on=ends + timedelta(days=1))
    assert not late.within_period and not late.hold
    assert "after the validation period" in timeline(working)[-1]


def test_a_late_dispute_holds_by_default_and_not_when_the_policy_says_so(working, collector, agency):
    send_notice(working, today(working) - timedelta(days=10))
    held = dispute(working, collector)
    assert not held.within_period and held.hold and working.status == Status.DISPUTED
    resolution.resolve_request(held.id, held.received_on, VERIFICATION, actor=collector)
    assert working.status == Status.IN_CONTACT
    set_policy(agency, hold_late_disputes=False)
    not_held = dispute(working, collector)
    assert not not_held.hold and working.status == Status.IN_CONTACT and not holds.on_hold(working.id)
    assert holds.has_open_dispute(working.id)  # still investigated: XB


def test_the_latest_notice_sets_the_period(working, collector, agency):
    set_policy(agency, hold_late_disputes=False)
    send_notice(working, today(working) - timedelta(days=40))
    send_notice(working, today(working))  # a second notice, sent later: its period ends later
    assert dispute(working, collector).within_period


def test_an_oral_dispute_follows_the_policy(working, collector, agency):
    oral = dispute(working, collector, channel="phone", upload=None)
    assert not oral.written and oral.hold and oral.document is None
    resolution.resolve_request(oral.id, oral.received_on, VERIFICATION, actor=collector)
    set_policy(agency, hold_oral_disputes=False)
    again = dispute(working, collector, channel="in_person", upload=None)
    assert not again.written and again.within_period and not again.hold
    assert working.status == Status.IN_CONTACT


def test_a_portal_dispute_is_written_and_needs_no_staff_user(working, agency):
    new = requests.NewRequest(kind="dispute", channel="portal", received_on=today(working))
    req = requests.record_request(working.id, new, actor=None, via="portal", agency_id=agency.id)
    assert req.written and req.hold and req.created_by_id is None
    [event] = audited("consumer_request.recorded", working)
    assert event.actor_id is None and event.changes["via"] == "portal"


def test_the_portal_files_only_its_own_agencys_disputes(working, foreign):
    new = requests.NewRequest(kind="dispute", channel="portal", received_on=today(working))
    with pytest.raises(NotFound):
        requests.record_request(working.id, new, actor=None, via="portal", agency_id=foreign.agency.id)
    attorney = requests.NewRequest(kind="attorney", channel="portal", received_on=today(working))
    with pytest.raises(ValidationFailed):
        requests.record_request(working.id, attorney, actor=None, via="portal", agency_id=working.agency_id)
    assert requests_of(working) == []


def test_a_duplicative_dispute_follows_the_policy_and_needs_an_earlier_one(working, collector, agency):
    with pytest.raises(ValidationFailed) as exc:
        dispute(working, collector, duplicative=True)
    assert "duplicative" in exc.value.fields
    first = dispute(working, collector)
    resolution.resolve_request(first.id, first.received_on, VERIFICATION, actor=collector)
    set_policy(agency, hold_duplicative_disputes=False)
    second = dispute(working, collector, duplicative=True)
    assert second.duplicative and second.within_period and not second.hold
    assert working.status == Status.IN_CONTACT


def test_two_disputes_hold_until_both_are_answered(working, collector, admin):
    first = dispute(working, collector)
    second = dispute(working, collector, kind="original_creditor")
    assert first.hold and second.hold
    release(first, collector)
    assert working.status == Status.DISPUTED and holds.on_hold(working.id)
    release(second, admin)
    assert working.status == Status.IN_CONTACT and not holds.on_hold(working.id)
    assert not holds.has_open_dispute(working.id)
    assert second.resolution_document.filename == "verification.pdf" and second.details["sent_on"]
    assert timeline(working)[-1].startswith("Original-creditor request of ")
    assert [e.changes["sent_on"] for e in audited("consumer_request.resolved", working)] == [
        first.received_on.isoformat(),
        second.received_on.isoformat(),
    ]
    statuses = [e.changes["status"]["new"] for e in audited("account.status_changed", working)]
    assert statuses[-2:] == ["disputed", "in_contact"]


def test_release_needs_the_copy_sent_and_a_sensible_date_and_happens_once(working, collector):
    req = dispute(working, collector)
    with pytest.raises(ValidationFailed) as exc:
        resolution.resolve_request(req.id, req.received_on, None, actor=collector)
    assert "document" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        resolution.resolve_request(req.id, req.received_on - timedelta(days=1), VERIFICATION, actor=collector)
    assert "sent_on" in exc.value.fields
    with pytest.raises(ValidationFailed):
        resolution.resolve_request(req.id, req.received_on + timedelta(days=2), VERIFICATION, actor=collector)
    assert holds.on_hold(working.id)
    release(req, collector)
    with pytest.raises(Conflict):
        release(req, collector)


def test_a_hold_never_moves_a_settled_or_closed_account(account, admin, collector):
    closed = f.walk_to(account, Status.CLOSED, admin=admin, collector=collector)
    req = dispute(closed, admin)
    assert req.hold and closed.status == Status.CLOSED
    release(req, admin)
    assert closed.status == Status.CLOSED


def test_cease_attorney_bankruptcy_and_death_are_recorded_for_the_guard(working, collector):
    cease = dispute(working, collector, kind="cease")
    lawyer = dispute(
        working,
        collector,
        kind="attorney",
        channel="email",
        details={"attorney_name": "Jane Counsel", "firm": "Counsel LLP", "phone": "+1 617 555 0100", "address": ""},
    )
    bankrupt = dispute(working, collector, kind="bankruptcy", details={"case_number": "24-10001", "court": ""})
    dead = dispute(working, collector, kind="deceased", channel="phone", upload=None)
    assert [r.hold for r in (cease, lawyer, bankrupt, dead)] == [False] * 4
    assert lawyer.details == {"attorney_name": "Jane Counsel", "firm": "Counsel LLP", "phone": "+1 617 555 0100"}
    assert bankrupt.details == {"case_number": "24-10001"}
    assert working.status == Status.IN_CONTACT and not holds.has_open_dispute(working.id)
    with pytest.raises(ValidationFailed) as exc:
        resolution.resolve_request(lawyer.id, None, actor=collector)
    assert "note" in exc.value.fields
    resolution.resolve_request(lawyer.id, None, note="the attorney withdrew", actor=collector)
    assert lawyer.resolved_at is not None and "the attorney withdrew" in lawyer.note


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "attorney", "details": {"attorney_name": ""}},
        {"kind": "attorney", "details": {"attorney_name": "x" * 201}},
        {"disputed_amount": "0"},
        {"disputed_amount": "-5"},
        {"disputed_amount": "1e9"},
        {"disputed_amount": "12.345"},
        {"disputed_amount": "NaN"},
        {"disputed_amount": "abc"},
        {"note": "n" * 5001},
        {"note": "card 4242 4242 4242 4242"},
        {"kind": "complaint"},
        {"channel": "fax"},
    ],
)
def test_bad_input_is_refused_and_writes_nothing(working, collector, fields):
    with pytest.raises(ValidationFailed):
        dispute(working, collector, **fields)
    assert requests_of(working) == [] and working.status == Status.IN_CONTACT


@pytest.mark.parametrize("received_on", [date(1850, 1, 1), date(2300, 1, 1), "tomorrow"])
def test_a_future_or_absurd_received_date_is_refused(working, collector, received_on):
    day = today(working) + timedelta(days=1) if received_on == "tomorrow" else received_on
    with pytest.raises(ValidationFailed) as exc:
        dispute(working, collector, received_on=day)
    assert "received_on" in exc.value.fields


def test_requests_are_scoped_like_the_account(working, other_collector, foreign, collector):
    for outsider in (other_collector, foreign.admin):
        with pytest.raises(NotFound):
            dispute(working, outsider)
    req = dispute(working, collector)
    for outsider in (other_collector, foreign.admin):
        with pytest.raises(NotFound):
            release(req, outsider)
        with pytest.raises(NotFound):
            request_queries.get_document(outsider, working.id, req.document.id)
    with pytest.raises(NotFound):  # a document of another account through this one's address
        request_queries.get_document(foreign.admin, foreign.account.id, req.document.id)


def test_the_sla_counts_the_agencys_verification_days(working, collector, agency):
    req = dispute(working, collector, received_on=today(working) - timedelta(days=30))
    assert holds.verification_due(req, agency) == today(working)
    assert holds.sla_state(req, agency, today(working)) == "due"
    assert holds.sla_state(req, agency, today(working) + timedelta(days=1)) == "overdue"
    set_policy(agency, verification_days=45)
    assert holds.verification_due(req, agency) == today(working) + timedelta(days=15)
    assert holds.sla_state(req, agency, today(working)) == "open"
    release(req, collector)
    assert holds.sla_state(req, agency, today(working) + timedelta(days=99)) == "done"


def test_payment_requests_are_refused_on_hold_and_payments_still_accepted(working, collector):
    dispute(working, collector)
    with pytest.raises(Conflict) as exc:
        stripe_payments.request_card_payment(working.id, "50.00", "hold-request-key-0001", actor=collector)
    assert "collection hold" in exc.value.message
    key = "hold-manual-key-0002"
    payment = record.record_manual_payment(working.id, "50.00", "check", "chk 12", None, key, actor=collector)
    assert payment.amount == Decimal("50.00") and working.current_balance == Decimal("950.00")
