"""Helpers of the consumer-request and hold tests: a validation notice sent, a request recorded."""

from datetime import date, timedelta

import pytest

from app.agencyday import local_today
from app.compliance import documents, requests
from app.compliance.models import ValidationNotice
from app.compliance.requests import NewRequest, Upload
from app.extensions import db
from tests import factories as f
from tests.api.conftest import api_as  # noqa: F401  (the API client, for the payment-request refusal)

LETTER = Upload(b"%PDF-1.4 I dispute this debt.", "dispute-letter.pdf", "application/pdf")
VERIFICATION = Upload(b"%PDF-1.4 Verification of the debt.", "verification.pdf", "application/pdf")


@pytest.fixture
def working(account, admin, collector):
    """An account in contact, assigned to the collector."""
    return f.walk_to(account, f.Status.IN_CONTACT, admin=admin, collector=collector)


def send_notice(account, period_ends: date) -> ValidationNotice:
    """A validation notice of ``account`` whose period ends on ``period_ends`` (sent 35 days before)."""
    document = documents.store(account, b"%PDF-1.4 notice", "notice.pdf", "application/pdf")
    notice = ValidationNotice(
        agency_id=account.agency_id,
        account_id=account.id,
        sent_on=period_ends - timedelta(days=35),
        channel="mail",
        language="en",
        period_ends=period_ends,
        document_id=document.id,
    )
    db.session.add(notice)
    db.session.commit()
    return notice


def dispute(account, actor, received_on: date | None = None, channel: str = "letter", **fields):
    """Record a dispute (a letter received today, with its copy, unless told otherwise)."""
    upload, kind = fields.pop("upload", LETTER), fields.pop("kind", "dispute")
    new = NewRequest(kind=kind, channel=channel, received_on=received_on or today(account), **fields)
    return requests.record_request(account.id, new, upload, actor=actor)


def today(account) -> date:
    """The agency's today (the machine's date may already be tomorrow in UTC)."""
    return local_today(requests.agency_of(account).timezone)


def set_policy(agency, **values) -> None:
    agency.compliance_settings = {**(agency.compliance_settings or {}), **values}
    db.session.commit()
