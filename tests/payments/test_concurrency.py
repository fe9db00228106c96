"""Fifty identical submissions at once, each on its own connection, make exactly one payment."""

import threading
from decimal import Decimal

from sqlalchemy import func, select

from app.accounts.models import Account
from app.auth.models import User
from app.extensions import db
from app.payments.models import Payment
from app.payments.services.record import record_manual_payment
from app.payments.services.stripe_payments import request_card_payment
from tests import factories as f
from tests.payments.helpers import key

THREADS = 50


def committed_account(session) -> tuple[int, int]:
    """An assigned account (balance 1000.00) committed for the threads; returns (account id, collector id)."""
    agency = f.AgencyFactory()
    admin, collector = f.AdminFactory(agency=agency), f.CollectorFactory(agency=agency)
    account = f.walk_to(f.AccountFactory(agency=agency), f.Status.ASSIGNED, admin=admin, collector=collector)
    ids = account.id, collector.id
    session.commit()
    session.close()  # hold no transaction (on SQLite, no write lock) while the threads run
    return ids


def race(app, count: int, collector_id: int, submit) -> tuple[list, list]:
    """Call ``submit(collector)`` from ``count`` threads released together; returns (payment ids, errors)."""
    start, results, errors = threading.Barrier(count), [], []

    def worker():
        with app.app_context():
            try:
                start.wait()
                results.append(submit(db.session.get(User, collector_id)).id)
            except Exception as exc:  # collected and asserted by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_fifty_concurrent_identical_submissions_make_one_payment(app, committed_session):
    account_id, collector_id = committed_account(committed_session)
    same_key = key()
    submit = lambda actor: record_manual_payment(account_id, "125.00", "check", "", None, same_key, actor=actor)  # noqa: E731
    results, errors = race(app, THREADS, collector_id, submit)
    assert errors == [] and len(results) == THREADS and len(set(results)) == 1
    count = committed_session.scalar(select(func.count(Payment.id)).where(Payment.account_id == account_id))
    assert count == 1
    assert committed_session.get(Account, account_id).current_balance == Decimal("875.00")


def test_concurrent_identical_card_requests_make_one_payment(app, committed_session):
    account_id, collector_id = committed_account(committed_session)
    same_key = key()
    submit = lambda actor: request_card_payment(account_id, "80.00", same_key, actor=actor)  # noqa: E731
    results, errors = race(app, 10, collector_id, submit)
    assert errors == [] and len(results) == 10 and len(set(results)) == 1
    count = committed_session.scalar(select(func.count(Payment.id)).where(Payment.account_id == account_id))
    assert count == 1
