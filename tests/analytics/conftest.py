"""A small fixed book of accounts, payments, refunds, notes and imports with known timestamps.

Agency timezone America/New_York (EST until 8 March 2026, EDT after). "Now" is 2026-03-15 15:00 UTC.
Every expected figure in the analytics tests is computed by hand from the table below.

acct  placed  collector  status       due          payments (completed, UTC)                      balance
a1    1000    C1         in_contact   today−10     300 Feb 10 12:00, 100 Mar 2 12:00, 200 Mar 15 14:00  400
a2     500    C1         settled      today−50     500 Mar 1 04:30 (= Feb 28 23:30 local)         0
a3     800    C2         assigned     none         300 Mar 15 03:30 (= Mar 14 local), 100 refunded 600
a4     400    C2         in_contact   today−100    150 Feb 20 12:00, refunded in full             400
a5     300    —          new          today+5      —                                              300
a6     200    C1         closed       today−400    —                                              200
Assigned (UTC): a1 Mar 1 12:00, a2 Feb 20 12:00, a3 Mar 10 12:00, a4 Jan 10 12:00, a6 Mar 3 12:00.
Notes by C1: two on a1 (Mar 5, Mar 6), one on a2 (Feb 1). a2 settled Mar 1 04:30 UTC.
A second agency has an account, a 999 payment today and an import job: none of it may appear.
"""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from app.accounts import services as account_services
from app.accounts.models import Activity, ActivityKind
from app.accounts.states import Status
from app.imports.models import ImportJob, JobStatus
from app.payments.models import Payment
from app.payments.services import refunds
from tests import factories as f
from tests.factories import db
from tests.payments.helpers import key, pay

NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 15)


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _account(agency, admin, collector, status, amount, due):
    account = f.AccountFactory(agency=agency, original_amount=amount, due_date=due)
    return f.walk_to(account, status, admin=admin, collector=collector)


def _paid(payment, when):
    db.session.execute(update(Payment).where(Payment.id == payment.id).values(completed_at=when))


def _stamp(account, when, kind=None):
    stmt = update(Activity).where(Activity.account_id == account.id)
    db.session.execute((stmt.where(Activity.kind == kind) if kind else stmt).values(created_at=when))


def _note(account, actor, when):
    entry = account_services.add_note(account.id, "called", actor=actor)
    db.session.execute(update(Activity).where(Activity.id == entry.id).values(created_at=when))


@pytest.fixture
def book(agency, admin, collector, other_collector, foreign):
    c1, c2, idle = collector, other_collector, f.CollectorFactory(agency=agency, full_name="Zed Idle")
    a1 = _account(agency, admin, c1, Status.IN_CONTACT, 1000, TODAY - timedelta(days=10))
    a2 = _account(agency, admin, c1, Status.IN_CONTACT, 500, TODAY - timedelta(days=50))
    a3 = _account(agency, admin, c2, Status.ASSIGNED, 800, None)
    a4 = _account(agency, admin, c2, Status.IN_CONTACT, 400, TODAY - timedelta(days=100))
    a5 = _account(agency, admin, None, Status.NEW, 300, TODAY + timedelta(days=5))
    a6 = _account(agency, admin, c1, Status.CLOSED, 200, TODAY - timedelta(days=400))
    for account, when in ((a1, at(3, 1)), (a2, at(2, 20)), (a3, at(3, 10)), (a4, at(1, 10)), (a6, at(3, 3))):
        _stamp(account, when)
    for amount, when in (("300", at(2, 10)), ("100", at(3, 2)), ("200", at(3, 15, 14))):
        _paid(pay(a1, amount, admin), when)
    _paid(pay(a2, "500", admin), at(3, 1, 4, 30))
    _stamp(a2, at(3, 1, 4, 30), ActivityKind.STATUS_CHANGE)  # all its status changes; only the last is to settled
    p3 = pay(a3, "300", admin)
    refunds.refund_payment(p3.id, "100", "goodwill", key(), actor=admin)
    _paid(p3, at(3, 15, 3, 30))
    p4 = pay(a4, "150", admin)
    refunds.refund_payment(p4.id, "150", "bounced", key(), actor=admin)
    _paid(p4, at(2, 20))
    for when in (at(3, 5), at(3, 6)):
        _note(a1, c1, when)
    _note(a2, c1, at(2, 1))
    _foreign_noise(foreign)
    _import_jobs(agency, foreign)
    db.session.commit()
    return SimpleNamespace(a1=a1, a2=a2, a3=a3, a4=a4, a5=a5, a6=a6, c1=c1, c2=c2, idle=idle, admin=admin)


def _foreign_noise(foreign):
    _paid(pay(foreign.account, "999", foreign.admin), NOW - timedelta(hours=1))


def _import_jobs(agency, foreign):
    def job(agency_id, status, total, errors, when):
        db.session.add(
            ImportJob(
                agency_id=agency_id,
                file_name="f.csv",
                sha256="0" * 64,
                status=status,
                total=total,
                errors=errors,
                created_at=when,
            )
        )

    job(agency.id, JobStatus.COMPLETED_WITH_ERRORS, 100, 5, NOW - timedelta(days=10))
    job(agency.id, JobStatus.COMPLETED, 50, 0, NOW - timedelta(days=40))
    job(agency.id, JobStatus.DUPLICATE, 0, 0, NOW - timedelta(days=2))
    job(foreign.agency.id, JobStatus.COMPLETED, 70, 7, NOW - timedelta(days=1))
