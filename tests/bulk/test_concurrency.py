"""Two bulk distributions at once, each on its own connection, never put a collector past their maximum."""

import threading

from sqlalchemy import func, select

from app.accounts.models import Account
from app.auth.models import User
from app.bulk import services
from app.bulk.selection import Selection
from app.extensions import db
from tests import factories as f

PER_OPERATION = 30
CAPACITY = 20


def committed_setup(session) -> tuple[int, list[int], list[list[int]]]:
    """An agency with two collectors of CAPACITY each and two disjoint runs of new accounts, committed."""
    agency = f.AgencyFactory()
    admin = f.AdminFactory(agency=agency)
    people = [f.CollectorFactory(agency=agency, profile__max_open_accounts=CAPACITY) for _ in range(2)]
    runs = [[f.AccountFactory(agency=agency).id for _ in range(PER_OPERATION)] for _ in range(2)]
    ids = admin.id, [c.id for c in people], runs
    session.commit()
    session.close()  # hold no transaction (on SQLite, no write lock) while the threads run
    return ids


def test_two_concurrent_distributions_respect_every_maximum(app, committed_session, monkeypatch):
    monkeypatch.setitem(app.config, "BULK_BATCH_SIZE", 5)  # many batches each, so the two interleave
    admin_id, collector_ids, runs = committed_setup(committed_session)
    start, outcomes, errors = threading.Barrier(2), [], []

    def operate(account_ids: list[int]) -> None:
        with app.app_context():
            try:
                start.wait()
                admin = db.session.get(User, admin_id)
                params = {"collector_ids": collector_ids, "mode": "round_robin"}
                operation = services.submit_operation("assign", Selection(ids=tuple(account_ids)), params, actor=admin)
                outcomes.append(dict(operation.counts))
            except Exception as exc:  # collected and asserted by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=operate, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counted = select(Account.assigned_collector_id, func.count()).where(
        Account.assigned_collector_id.in_(collector_ids)
    )
    per_collector = dict(committed_session.execute(counted.group_by(Account.assigned_collector_id)).all())
    assert per_collector == {collector_ids[0]: CAPACITY, collector_ids[1]: CAPACITY}
    assert sum(o.get("assigned", 0) for o in outcomes) == 2 * CAPACITY
    assert sum(o.get("no_room", 0) for o in outcomes) == 2 * PER_OPERATION - 2 * CAPACITY
