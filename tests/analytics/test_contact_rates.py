"""Call attempts and right-party contact rate per collector, from the contact log: exact at the period's local
edges, outbound calls only, each agency's own; the same on the live and the rollup paths."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.analytics import queries
from app.analytics.periods import Range
from app.compliance.models import Channel, ContactAttempt, Direction, Outcome
from app.extensions import db
from tests import factories as f

PERIOD = Range(date(2026, 3, 1), date(2026, 3, 15))  # local days, America/New_York (EST on Mar 1)


def attempt(account, user, at, outcome=Outcome.NO_ANSWER, channel=Channel.CALL, direction=Direction.OUTBOUND):
    db.session.add(
        ContactAttempt(
            agency_id=account.agency_id,
            account_id=account.id,
            user_id=user.id,
            channel=channel,
            direction=direction,
            outcome=outcome,
            at=at,
        )
    )


@pytest.fixture
def logged(agency, admin, collector, other_collector, foreign):
    mine = f.walk_to(f.AccountFactory(agency=agency), f.Status.IN_CONTACT, admin=admin, collector=collector)
    theirs = f.walk_to(f.AccountFactory(agency=agency), f.Status.IN_CONTACT, admin=admin, collector=other_collector)
    attempt(mine, collector, datetime(2026, 3, 1, 4, 59, tzinfo=UTC), Outcome.RIGHT_PARTY)  # Feb 28 23:59 local
    attempt(mine, collector, datetime(2026, 3, 1, 5, 0, tzinfo=UTC))  # Mar 1 00:00 local: the first counted
    attempt(mine, collector, datetime(2026, 3, 5, 15, 0, tzinfo=UTC), Outcome.VOICEMAIL)
    attempt(mine, collector, datetime(2026, 3, 6, 15, 0, tzinfo=UTC), Outcome.RIGHT_PARTY)
    attempt(mine, collector, datetime(2026, 3, 15, 23, 59, tzinfo=UTC), Outcome.PROMISE_TO_PAY)  # Mar 15 local
    attempt(mine, collector, datetime(2026, 3, 16, 4, 0, tzinfo=UTC), Outcome.DISPUTE)  # Mar 16 00:00 local: out
    attempt(mine, collector, datetime(2026, 3, 7, 15, 0, tzinfo=UTC), Outcome.RIGHT_PARTY, direction=Direction.INBOUND)
    attempt(mine, collector, datetime(2026, 3, 7, 16, 0, tzinfo=UTC), Outcome.RIGHT_PARTY, channel=Channel.EMAIL)
    attempt(theirs, other_collector, datetime(2026, 3, 8, 15, 0, tzinfo=UTC), Outcome.WRONG_NUMBER)
    attempt(foreign.account, foreign.collector, datetime(2026, 3, 8, 15, 0, tzinfo=UTC), Outcome.RIGHT_PARTY)
    db.session.commit()


@pytest.mark.parametrize("live", [True, False])
def test_call_attempts_and_right_party_rate_per_collector(admin, collector, other_collector, logged, live):
    rows = {r.collector.id: r for r in queries.get_collector_performance(admin, PERIOD, live=live)}
    mine, theirs = rows[collector.id], rows[other_collector.id]
    assert (mine.call_attempts, mine.right_party, mine.right_party_rate) == (4, 2, Decimal("0.5000"))
    assert (theirs.call_attempts, theirs.right_party, theirs.right_party_rate) == (1, 0, Decimal("0"))
    assert len(rows) == 2  # the other agency's collector is not listed


def test_a_collector_without_calls_has_no_rate(admin, collector):
    [row] = queries.get_collector_performance(admin, PERIOD)
    assert (row.call_attempts, row.right_party, row.right_party_rate) == (0, 0, None)


def test_the_table_and_its_csv_show_the_rates(login, admin, collector, logged):
    web = login(admin)
    html = web.get("/analytics/collectors?pfrom=2026-03-01&pto=2026-03-15").get_data(as_text=True)
    assert "Call attempts" in html and "50.0 %" in html
    response = web.get("/analytics/collectors.csv?pfrom=2026-03-01&pto=2026-03-15")
    rows = {r["collector"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    mine = rows[collector.full_name]
    assert (mine["call_attempts"], mine["right_party_contacts"], mine["right_party_rate"]) == ("4", "2", "0.5000")
