"""Accounts whose consumer lives somewhere known, and a helper that logs attempts through the real service."""

from datetime import UTC, date, datetime, time

import pytest

from app.compliance import contacts
from app.compliance.models import ConsumerRequest, ContactPoint, PointKind, RequestChannel
from app.extensions import db
from tests import factories as f
from tests.api.conftest import api_as  # noqa: F401 (the API tests' signed-in client)


def place(account, *, state=None, postal_code=None, phone=None):
    """Move the account's debtor to a state, ZIP code and phone (None: unknown)."""
    debtor = account.debtor
    debtor.state, debtor.postal_code, debtor.phone = state, postal_code, phone
    db.session.flush()
    return account


def add_point(account, value, kind=PointKind.CELL, channel="phone", **flags):
    point = ContactPoint(
        agency_id=account.agency_id, debtor_id=account.debtor_id, channel=channel, value=value, kind=kind, **flags
    )
    db.session.add(point)
    db.session.flush()
    return point


@pytest.fixture
def west(assigned_account):
    """An account whose debtor is in San Francisco (Pacific time by state, ZIP code and area code)."""
    return place(assigned_account, state="CA", postal_code="94103", phone="+1 415 555 0100")


@pytest.fixture
def afternoon_in_san_francisco(clock):
    """The app's clock at 21:00 UTC today (13:00 or 14:00 in San Francisco), for pages that log "now"."""
    target = datetime.combine(datetime.now(UTC).date(), time(21), UTC)
    clock.advance(target - datetime.now(UTC))
    return clock


@pytest.fixture
def log(collector):
    """``log(account, at, **fields)``: an attempt logged by the collector (outbound call, no answer by default)."""

    def _log(account, at: datetime, **fields):
        values = dict(channel="call", direction="outbound", outcome="no_answer") | fields
        return contacts.log_attempt(collector, account.id, at=at, **values)

    return _log


@pytest.fixture
def other_account(agency, admin, collector):
    return f.walk_to(f.AccountFactory(agency=agency), f.Status.ASSIGNED, admin=admin, collector=collector)


def open_request(account, kind, **fields) -> ConsumerRequest:
    """An open consumer request on the account, as the holds helper's services would record one."""
    request = ConsumerRequest(
        agency_id=account.agency_id, account_id=account.id, kind=kind, channel=RequestChannel.LETTER, written=True,
        received_on=date(2026, 5, 28), details=fields.pop("details", {}), **fields,
    )  # fmt: skip
    db.session.add(request)
    db.session.flush()
    return request
