"""Two holds released at the same moment, each on its own connection: the account still leaves ``disputed``
(each release judges "no other hold left" under the account's lock, after the other one's commit)."""

from app.accounts.models import Account
from app.accounts.states import Status
from app.auth.models import User
from app.compliance import resolution
from app.compliance.models import ConsumerRequest
from app.extensions import db
from tests import factories as f
from tests.compliance.conftest import VERIFICATION, dispute
from tests.payments.test_concurrency import race


def test_two_holds_released_at_once_leave_the_account_in_contact(app, committed_session):
    agency = f.AgencyFactory()
    admin, collector = f.AdminFactory(agency=agency), f.CollectorFactory(agency=agency)
    account = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector)
    held = [dispute(account, collector).id, dispute(account, collector, kind="original_creditor").id]
    account_id, collector_id = account.id, collector.id
    committed_session.commit()
    committed_session.close()
    pending = list(held)

    def release(actor: User) -> ConsumerRequest:
        req = db.session.get(ConsumerRequest, pending.pop())
        return resolution.resolve_request(req.id, req.received_on, VERIFICATION, actor=actor)

    results, errors = race(app, 2, collector_id, release)
    assert errors == [] and sorted(results) == sorted(held)
    assert committed_session.get(Account, account_id).status == Status.IN_CONTACT
