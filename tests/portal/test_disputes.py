"""A debtor files a written dispute (or asks for the original creditor) in the portal: issue 18's consumer request
through the portal's written channel, which puts collection on hold."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Activity, ActivityKind
from app.accounts.states import Status
from app.audit.models import AuditEvent
from app.compliance.models import ConsumerRequest, RequestChannel, RequestKind
from app.extensions import db
from tests import factories as f


@pytest.fixture
def signed_in(portal, debtor_account):
    assert portal.sign_in(debtor_account.external_ref).status_code == 303
    return portal


def requests_of(account) -> list[ConsumerRequest]:
    return list(db.session.scalars(select(ConsumerRequest).where(ConsumerRequest.account_id == account.id)))


def test_a_written_dispute_puts_collection_on_hold(signed_in, debtor_account, admin, agency):
    f.walk_to(debtor_account, Status.IN_CONTACT, admin=admin, collector=f.CollectorFactory(agency=agency))
    data = {"kind": "dispute", "amount": "150.00", "statement": "I paid part of this in 2024."}
    response = signed_in.post(f"/accounts/{debtor_account.id}/dispute", data)
    assert response.status_code == 303 and "note=request_received" in response.location
    [request] = requests_of(debtor_account)
    assert (request.kind, request.channel, request.written, request.hold) == (
        RequestKind.DISPUTE,
        RequestChannel.PORTAL,
        True,
        True,
    )
    assert request.disputed_amount == Decimal("150.00") and request.note == "I paid part of this in 2024."
    db.session.refresh(debtor_account)
    assert debtor_account.status == Status.DISPUTED
    recorded = (AuditEvent.action == "consumer_request.recorded", AuditEvent.agency_id == agency.id)
    [event] = db.session.scalars(select(AuditEvent).where(*recorded))
    assert event.actor_id is None and event.changes["via"] == "portal"
    kinds = db.session.scalars(select(Activity.kind).where(Activity.account_id == debtor_account.id))
    assert ActivityKind.REQUEST in list(kinds)
    page = signed_in.get(f"/accounts/{debtor_account.id}?note=request_received").get_data(as_text=True)
    assert "We received your request" in page and "Your dispute is being reviewed" in page


def test_the_original_creditor_request_in_spanish(signed_in, debtor_account):
    signed_in.get("/accounts/?lang=es")
    response = signed_in.post(f"/accounts/{debtor_account.id}/dispute", {"kind": "original_creditor"})
    assert response.status_code == 303
    [request] = requests_of(debtor_account)
    assert request.kind == RequestKind.ORIGINAL_CREDITOR and request.disputed_amount is None


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "dispute", "amount": "lots"},
        {"kind": "dispute", "amount": "1e9"},
        {"kind": "dispute", "amount": "-5"},
        {"kind": "dispute", "amount": "5\x00"},
        {"kind": "bankruptcy"},  # not a request the portal files
        {"kind": "dispute", "statement": "x" * 2001},
    ],
)
def test_bad_requests_are_422_and_write_nothing(signed_in, debtor_account, data):
    response = signed_in.post(f"/accounts/{debtor_account.id}/dispute", data)
    assert response.status_code in (400, 422) and not requests_of(debtor_account)


def test_another_debtors_account_is_404_and_untouched(signed_in, agency):
    other = f.AccountFactory(agency=agency)
    response = signed_in.post(f"/accounts/{other.id}/dispute", {"kind": "dispute"})
    assert response.status_code == 404 and not requests_of(other)
