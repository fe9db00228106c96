"""Two collectors logging the 7th call attempt on one account at once: the account row's lock makes the guard
judge them one after the other, so exactly one is logged and the other refused (PostgreSQL runs them truly at
once; SQLite's single writer serialises them too)."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.compliance import contacts
from app.compliance.models import ContactAttempt
from app.extensions import db
from tests import factories as f

NOON = datetime(2026, 6, 2, 19, 0, tzinfo=UTC)  # 12:00 in San Francisco


def committed_account(session) -> tuple[int, int, int]:
    """An account in San Francisco with six call attempts, seen by an admin and its collector; committed."""
    agency = f.AgencyFactory()
    admin, collector = f.AdminFactory(agency=agency), f.CollectorFactory(agency=agency)
    account = f.walk_to(f.AccountFactory(agency=agency), f.Status.ASSIGNED, admin=admin, collector=collector)
    account.debtor.state, account.debtor.postal_code, account.debtor.phone = "CA", "94103", "+1 415 555 0100"
    session.commit()
    for hour in range(6):
        contacts.log_attempt(collector, account.id, channel="call", direction="outbound", outcome="busy",
                             at=NOON - timedelta(minutes=hour + 1))  # fmt: skip
    ids = account.id, admin.id, collector.id
    session.close()
    return ids


def test_two_collectors_logging_the_seventh_attempt_at_once_never_pass_the_limit(app, committed_session):
    account_id, *user_ids = committed_account(committed_session)
    start, logged, refused, errors = threading.Barrier(2, timeout=60), [], [], []

    def log(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                db.session.commit()  # no transaction held at the barrier (SQLite's BEGIN IMMEDIATE holds the lock)
                start.wait()
                contacts.log_attempt(user, account_id, channel="call", direction="outbound", outcome="busy", at=NOON)
                logged.append(user_id)
            except contacts.ContactBlocked as blocked:
                refused.append([r.rule for r in blocked.decision.reasons])
            except Exception as exc:  # collected and asserted by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=log, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and len(logged) == 1 and refused == [["call_frequency"]]
    count = select(func.count(ContactAttempt.id)).where(ContactAttempt.account_id == account_id)
    assert committed_session.scalar(count) == 7
