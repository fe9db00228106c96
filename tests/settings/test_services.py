"""Settings use cases: agency profile and collector management, each audited."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts import handover
from app.accounts.states import Status
from app.audit.models import AuditEvent
from app.auth import services as auth_services
from app.collectors import services
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.settings import services as agency_services
from tests import factories as f
from tests.factories import db

VALUES = {"full_name": "Nia New", "email": "nia@example.test", "commission_rate": "12.5", "max_open_accounts": "3"}


def actions(agency) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.agency_id == agency.id).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def test_profile_update_is_audited_field_by_field(admin, agency):
    values = {
        "name": "Apex Recovery",
        "timezone": "Europe/London",
        "currency": "GBP",
        "city": "Leeds",
        "license_number": "L-1",
        "country": "gb",
    }
    agency_services.update_profile(values, actor=admin)
    assert (agency.name, agency.timezone, agency.currency, agency.city, agency.country) == (
        "Apex Recovery",
        "Europe/London",
        "GBP",
        "Leeds",
        "GB",
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "agency.updated")).one()
    assert event.changes["timezone"] == {"old": "America/New_York", "new": "Europe/London"}


@pytest.mark.parametrize("field,value", [("name", ""), ("timezone", "Mars/Base"), ("currency", "ZZZ")])
def test_profile_rejects_bad_values(admin, field, value):
    values = {"name": "A", "timezone": "UTC", "currency": "USD", field: value}
    with pytest.raises(ValidationFailed) as exc:
        agency_services.update_profile(values, actor=admin)
    assert field in exc.value.fields


def test_collector_cannot_change_the_profile(collector):
    with pytest.raises(PermissionDenied):
        agency_services.update_profile({"name": "x", "timezone": "UTC", "currency": "USD"}, actor=collector)


def test_created_collector_signs_in_with_the_one_time_password(admin, agency):
    new = services.create_collector("Nia.New", VALUES, actor=admin)
    assert new.user.username == "nia.new" and new.user.agency_id == agency.id
    assert new.user.collector_profile.commission_rate == Decimal("0.1250")
    assert auth_services.authenticate("nia.new", new.temporary_password).id == new.user.id
    assert new.temporary_password not in str(db.session.scalars(select(AuditEvent.changes)).all())
    assert "collector.created" in actions(agency)


@pytest.mark.parametrize(
    "username,values,field",
    [
        ("x", VALUES, "username"),
        ("ok-name", {**VALUES, "email": "nope"}, "email"),
        ("ok-name", {**VALUES, "commission_rate": "101"}, "commission_rate"),
        ("ok-name", {**VALUES, "commission_rate": "abc"}, "commission_rate"),
        ("ok-name", {**VALUES, "max_open_accounts": "-1"}, "max_open_accounts"),
        ("ok-name", {**VALUES, "full_name": " "}, "full_name"),
    ],
)
def test_create_rejects_bad_input(admin, username, values, field):
    with pytest.raises(ValidationFailed) as exc:
        services.create_collector(username, values, actor=admin)
    assert field in exc.value.fields


def test_taken_username_is_refused(admin, collector):
    with pytest.raises(ValidationFailed, match="taken"):
        services.create_collector(collector.username, VALUES, actor=admin)


def test_edit_changes_and_audits(admin, collector, agency):
    services.update_collector(collector.id, {**VALUES, "commission_rate": "15"}, actor=admin)
    assert collector.full_name == "Nia New" and collector.collector_profile.max_open_accounts == 3
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "collector.updated")).one()
    assert event.changes["commission_rate"] == {"old": "0.1000", "new": "0.1500"}


def test_another_agencys_collector_is_not_found(admin, foreign):
    with pytest.raises(NotFound):
        services.update_collector(foreign.collector.id, VALUES, actor=admin)


def _portfolio(agency, admin, collector):
    assigned = f.walk_to(f.AccountFactory(agency=agency), Status.ASSIGNED, admin=admin, collector=collector)
    talking = f.walk_to(f.AccountFactory(agency=agency), Status.IN_CONTACT, admin=admin, collector=collector)
    settled = f.walk_to(f.AccountFactory(agency=agency), Status.SETTLED, admin=admin, collector=collector)
    return assigned, talking, settled


def test_deactivate_unassigns_open_accounts_and_ends_sessions(admin, collector, agency):
    assigned, talking, settled = _portfolio(agency, admin, collector)
    auth_services.start_session(collector)
    assert handover.deactivate_collector(collector.id, "unassign", None, actor=admin) == 2
    assert (assigned.assigned_collector_id, assigned.status) == (None, Status.NEW)
    assert (talking.assigned_collector_id, talking.status) == (None, Status.IN_CONTACT)
    assert settled.assigned_collector_id == collector.id  # history keeps who settled it
    assert not collector.active and not collector.collector_profile.active
    assert actions(agency)[-1] == "collector.deactivated" and "account.unassigned" in actions(agency)
    with pytest.raises(ValidationFailed):
        auth_services.authenticate(collector.username, f.PASSWORD)


def test_deactivate_moves_open_accounts_to_another_collector(admin, collector, other_collector, agency):
    assigned, talking, _ = _portfolio(agency, admin, collector)
    assert handover.deactivate_collector(collector.id, "move", other_collector.id, actor=admin) == 2
    assert assigned.assigned_collector_id == talking.assigned_collector_id == other_collector.id
    assert assigned.status == Status.ASSIGNED


def test_move_refused_when_target_lacks_room_and_nothing_changes(admin, collector, other_collector, agency):
    assigned, _, _ = _portfolio(agency, admin, collector)
    other_collector.collector_profile.max_open_accounts = 1
    with pytest.raises(ValidationFailed, match="room for only 1"):
        handover.deactivate_collector(collector.id, "move", other_collector.id, actor=admin)
    assert collector.active and assigned.assigned_collector_id == collector.id


@pytest.mark.parametrize("action,target", [("", None), ("move", None), ("move", "self"), ("move", "inactive")])
def test_deactivate_rejects_bad_choices(admin, collector, other_collector, action, target):
    target_id = {"self": collector.id, "inactive": other_collector.id, None: None}[target]
    other_collector.active = False
    with pytest.raises(ValidationFailed):
        handover.deactivate_collector(collector.id, action, target_id, actor=admin)


def test_reactivate_restores_sign_in(admin, collector, agency):
    handover.deactivate_collector(collector.id, "unassign", None, actor=admin)
    services.reactivate_collector(collector.id, actor=admin)
    assert collector.active and collector.collector_profile.active
    assert auth_services.authenticate(collector.username, f.PASSWORD).id == collector.id
    with pytest.raises(ValidationFailed):
        services.reactivate_collector(collector.id, actor=admin)
