"""Account use cases: notes, status changes, assignment, and who may do them."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts import queries, services
from app.accounts.models import Account, Activity, ActivityKind
from app.accounts.states import Status
from app.audit.models import AuditEvent
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from tests import factories as f


def audit_actions(account):
    stmt = select(AuditEvent.action).where(AuditEvent.entity_id == str(account.id)).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def timeline_kinds(account):
    stmt = select(Activity.kind).where(Activity.account_id == account.id).order_by(Activity.id)
    return list(db.session.scalars(stmt))


def test_note_is_added_sets_last_contact_and_is_audited(assigned_account, collector):
    entry = services.add_note(assigned_account.id, "  Called, promised to pay Friday.  ", actor=collector)
    assert entry.body == "Called, promised to pay Friday."
    assert entry.actor_id == collector.id
    assert assigned_account.last_contact_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.note_added")).one()
    assert event.actor_id == collector.id and "last_contact_at" in event.changes


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_oversized_note_is_rejected_with_field_message(assigned_account, collector, body):
    with pytest.raises(ValidationFailed) as refused:
        services.add_note(assigned_account.id, body, actor=collector)
    assert "body" in refused.value.fields
    assert assigned_account.last_contact_at is None


def test_collector_cannot_touch_an_account_not_assigned_to_them(assigned_account, other_collector):
    with pytest.raises(NotFound):
        services.add_note(assigned_account.id, "hello", actor=other_collector)
    with pytest.raises(NotFound):
        services.change_status(assigned_account.id, "in_contact", actor=other_collector)


def test_admin_of_another_agency_sees_nothing(assigned_account, foreign):
    with pytest.raises(NotFound):
        services.change_status(assigned_account.id, "in_contact", actor=foreign.admin)
    with pytest.raises(NotFound):
        queries.get_account(foreign.admin, assigned_account.id)


def test_collector_moves_own_account_along_the_machine(assigned_account, collector):
    services.change_status(assigned_account.id, "in_contact", "reached by phone", actor=collector)
    assert assigned_account.status == Status.IN_CONTACT
    assert audit_actions(assigned_account)[-1] == "account.status_changed"


def test_unknown_status_value_is_refused_clearly(assigned_account, collector):
    with pytest.raises(ValidationFailed, match="is not an account status"):
        services.change_status(assigned_account.id, "paid_in_full", actor=collector)


def test_assigned_status_needs_a_collector(account, admin):
    with pytest.raises(ValidationFailed, match="Assign a collector first"):
        services.change_status(account.id, "assigned", actor=admin)


def test_assigning_a_new_account_moves_it_to_assigned(account, admin, collector):
    services.assign_collector(account.id, collector.id, actor=admin)
    assert account.assigned_collector_id == collector.id
    assert account.status == Status.ASSIGNED
    assert timeline_kinds(account) == [ActivityKind.ASSIGNMENT, ActivityKind.STATUS_CHANGE]
    assert audit_actions(account) == ["account.assigned", "account.status_changed"]


def test_reassignment_keeps_the_status(assigned_account, admin, collector, other_collector):
    services.change_status(assigned_account.id, "in_contact", actor=collector)
    services.assign_collector(assigned_account.id, other_collector.id, actor=admin)
    assert assigned_account.status == Status.IN_CONTACT
    entry = db.session.scalars(
        select(Activity).where(Activity.account_id == assigned_account.id).order_by(Activity.id.desc())
    ).first()
    assert entry.body == f"Assigned to {other_collector.full_name} (was {collector.full_name})"


def test_only_admins_assign(assigned_account, collector, other_collector):
    with pytest.raises(PermissionDenied):
        services.assign_collector(assigned_account.id, other_collector.id, actor=collector)


def test_cannot_assign_to_a_collector_of_another_agency(account, admin, foreign):
    with pytest.raises(ValidationFailed, match="active collector of your agency"):
        services.assign_collector(account.id, foreign.collector.id, actor=admin)
    assert account.assigned_collector_id is None


def test_cannot_assign_to_an_admin_or_an_inactive_collector(account, admin, agency):
    inactive = f.CollectorFactory(agency=agency)
    inactive.collector_profile.active = False
    deactivated_user = f.CollectorFactory(agency=agency, active=False)
    for target in (admin, inactive, deactivated_user):
        with pytest.raises(ValidationFailed):
            services.assign_collector(account.id, target.id, actor=admin)


def test_collector_at_capacity_is_refused_with_a_message(agency, admin, collector):
    collector.collector_profile.max_open_accounts = 2
    for _ in range(2):
        services.assign_collector(f.AccountFactory(agency=agency).id, collector.id, actor=admin)
    third = f.AccountFactory(agency=agency)
    with pytest.raises(ValidationFailed, match="already has 2 open accounts"):
        services.assign_collector(third.id, collector.id, actor=admin)
    assert third.assigned_collector_id is None


def test_closed_accounts_free_capacity(agency, admin, collector):
    collector.collector_profile.max_open_accounts = 1
    first = f.walk_to(f.AccountFactory(agency=agency), Status.ASSIGNED, admin=admin, collector=collector)
    services.change_status(first.id, "closed", actor=admin)
    second = f.AccountFactory(agency=agency)
    services.assign_collector(second.id, collector.id, actor=admin)
    assert second.assigned_collector_id == collector.id


def test_closed_account_cannot_be_reassigned(assigned_account, admin, other_collector):
    services.change_status(assigned_account.id, "closed", actor=admin)
    with pytest.raises(ValidationFailed, match="closed account"):
        services.assign_collector(assigned_account.id, other_collector.id, actor=admin)


def test_same_collector_twice_is_refused(assigned_account, admin, collector):
    with pytest.raises(ValidationFailed, match="already assigned"):
        services.assign_collector(assigned_account.id, collector.id, actor=admin)


def test_money_stays_decimal(assigned_account):
    stored = db.session.scalar(select(Account.current_balance).where(Account.id == assigned_account.id))
    assert isinstance(stored, Decimal) and stored == Decimal("1000.00")


def test_balance_can_never_go_negative_in_the_database(assigned_account):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(
                Account.__table__.update().where(Account.id == assigned_account.id).values(current_balance=-1)
            )


def test_external_ref_is_unique_per_agency_only(agency, foreign):
    from sqlalchemy.exc import IntegrityError

    f.AccountFactory(agency=agency, external_ref="SAME-1")
    f.AccountFactory(agency=foreign.agency, external_ref="SAME-1")
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            f.AccountFactory(agency=agency, external_ref="SAME-1")
    count = db.session.scalar(select(func.count()).where(Account.external_ref == "SAME-1"))
    assert count == 2
