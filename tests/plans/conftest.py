"""Fixtures and helpers of the plan tests: an account in negotiation, terms, payments through the services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.accounts.models import Activity
from app.agencyday import local_today
from app.audit.models import AuditEvent
from app.plans.models import Frequency, PlanKind
from app.plans.terms import Terms
from tests import factories as f
from tests.api.conftest import api_as  # noqa: F401  (the API tests' fixture)
from tests.factories import db
from tests.payments.helpers import key, pay  # noqa: F401  (re-exported for the plan tests)

D = Decimal


@pytest.fixture
def negotiating(account, admin, collector):
    """An account of 1,000.00 in negotiation, assigned to ``collector``."""
    return f.walk_to(account, f.Status.NEGOTIATING, admin=admin, collector=collector)


def today(agency) -> date:
    return local_today(agency.timezone)


def plan_terms(agency, total="1000.00", count=3, frequency=Frequency.MONTHLY, kind=PlanKind.PLAN, **kw) -> Terms:
    first = kw.pop("first_due", today(agency) + timedelta(days=1))
    return Terms(kind, D(total), first, frequency, count, **kw)


def promise_terms(agency, amount="200.00", first_due: date | None = None) -> Terms:
    return Terms(PlanKind.PROMISE, D(amount), first_due or today(agency) + timedelta(days=2))


def timeline(account) -> list[str]:
    stmt = db.select(Activity.body).where(Activity.account_id == account.id).order_by(Activity.id)
    return list(db.session.scalars(stmt))


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


def refreshed(*rows):
    for row in rows:
        db.session.refresh(row)
    return rows[0] if len(rows) == 1 else rows
