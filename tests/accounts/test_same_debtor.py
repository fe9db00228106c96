"""The account page's "same debtor" card: the debtor's other accounts the viewer may see, with the combined
balance. Admins see all of them; a collector only those assigned to them (the others are not mentioned)."""

from decimal import Decimal

import pytest

from app.accounts.states import Status
from tests import factories as f
from tests.factories import db


@pytest.fixture
def family(agency, admin, collector, other_collector):
    """One debtor with three accounts: two of the collector's, one of another collector's."""
    debtor = f.DebtorFactory(agency_id=agency.id, debtor_ref="CUST-7")

    def account(amount, who):
        placed = f.AccountFactory(agency=agency, debtor=debtor, original_amount=Decimal(amount))
        return f.walk_to(placed, Status.ASSIGNED, admin=admin, collector=who)

    accounts = account("100", collector), account("250", collector), account("1000", other_collector)
    db.session.commit()
    return accounts


def card(body: str) -> str:
    start = body.find('id="same-debtor-title"')
    return body[start : body.index("</section>", start)] if start >= 0 else ""


def test_admin_sees_every_other_account_and_the_combined_balance(login, admin, family):
    first, second, third = family
    shown = card(login(admin).get(f"/accounts/{first.id}").get_data(as_text=True))
    assert second.external_ref in shown and third.external_ref in shown and first.external_ref not in shown
    assert "$1,350.00" in shown and "the debtor's 2 others" in shown


def test_a_collector_sees_only_their_own_other_accounts(login, collector, family):
    first, second, third = family
    shown = card(login(collector).get(f"/accounts/{first.id}").get_data(as_text=True))
    assert second.external_ref in shown and third.external_ref not in shown
    assert "$350.00" in shown and "assigned to you" in shown


def test_no_card_without_other_accounts(login, other_collector, admin, account, family):
    assert card(login(admin).get(f"/accounts/{account.id}").get_data(as_text=True)) == ""
    assert card(login(other_collector).get(f"/accounts/{family[2].id}").get_data(as_text=True)) == ""
