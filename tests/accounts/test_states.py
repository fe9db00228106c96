"""The whole transition table: every allowed pair succeeds, every other pair is refused with a message."""

from itertools import product

import pytest
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import Account, Activity, ActivityKind
from app.accounts.states import Status, allowed_targets, can_transition
from app.errors import ValidationFailed
from tests import factories as f

S = Status
ALLOWED = {
    (S.NEW, S.ASSIGNED),
    (S.NEW, S.CLOSED),
    (S.ASSIGNED, S.IN_CONTACT),
    (S.ASSIGNED, S.CLOSED),
    (S.ASSIGNED, S.DISPUTED),
    (S.IN_CONTACT, S.NEGOTIATING),
    (S.IN_CONTACT, S.CLOSED),
    (S.IN_CONTACT, S.DISPUTED),
    (S.NEGOTIATING, S.PAYMENT_PLAN),
    (S.NEGOTIATING, S.SETTLED),
    (S.NEGOTIATING, S.CLOSED),
    (S.NEGOTIATING, S.DISPUTED),
    (S.PAYMENT_PLAN, S.SETTLED),
    (S.PAYMENT_PLAN, S.CLOSED),
    (S.PAYMENT_PLAN, S.DISPUTED),
    (S.SETTLED, S.CLOSED),
    (S.DISPUTED, S.IN_CONTACT),
    (S.DISPUTED, S.CLOSED),
}
ALL_PAIRS = list(product(Status, Status))


def test_table_matches_the_design():
    assert {(a, b) for a, b in ALL_PAIRS if can_transition(a, b)} == ALLOWED


def test_closed_is_terminal_and_offers_nothing():
    assert allowed_targets(S.CLOSED) == []


def _account_in(status, admin, collector, agency):
    """An account brought to ``status`` through the services."""
    account = f.AccountFactory(agency=agency)
    if status == S.NEW:
        return account
    return f.walk_to(account, status, admin=admin, collector=collector)


@pytest.mark.parametrize("current,target", sorted(ALLOWED))
def test_allowed_transition_is_applied_and_recorded(current, target, admin, collector, agency):
    account = _account_in(current, admin, collector, agency)
    if current == S.NEW and target == S.ASSIGNED:
        account.assigned_collector_id = collector.id  # a collector is required for 'assigned'
    services.change_status(account.id, target.value, "why", actor=admin)
    assert account.status == target
    last = f.db.session.query(Activity).filter_by(account_id=account.id).order_by(Activity.id.desc()).first()
    assert last.kind == ActivityKind.STATUS_CHANGE and last.body.endswith("— why")


@pytest.mark.parametrize("current,target", [p for p in ALL_PAIRS if p not in ALLOWED])
def test_refused_transition_changes_nothing_and_explains(current, target, admin, collector, agency):
    account = _account_in(current, admin, collector, agency)
    with pytest.raises(ValidationFailed) as refused:
        services.change_status(account.id, target.value, actor=admin)
    assert f"cannot move to {target.label}" in refused.value.message
    assert "Allowed:" in refused.value.message
    stored = f.db.session.scalar(select(Account.status).where(Account.id == account.id))
    assert stored == current
