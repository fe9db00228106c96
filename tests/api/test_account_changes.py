"""``PATCH /api/v1/accounts/{id}/`` (priority and due date, admins) and ``GET /api/v1/accounts/export/``."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts import followups
from app.accounts.models import Activity, ActivityKind
from app.audit.models import AuditEvent
from app.errors import ValidationFailed
from app.extensions import db
from tests import factories as f


def events(action: str, account) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity_id == str(account.id))
    return list(db.session.scalars(stmt))


def entries(account, kind: ActivityKind) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.account_id == account.id, Activity.kind == kind)))


def test_an_admin_sets_priority_and_due_date(api_as, admin, account):
    response = api_as(admin).patch(f"/accounts/{account.id}/", json={"priority": 3, "due_date": "2027-03-01"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["priority"] == 3 and response.json["due_date"] == "2027-03-01"
    db.session.expire_all()
    assert account.priority == 3 and account.due_date == date(2027, 3, 1)
    assert len(events("account.priority_changed", account)) == 1
    [event] = events("account.due_date_changed", account)
    assert event.changes["due_date"]["new"] == "2027-03-01"
    [entry] = entries(account, ActivityKind.DUE_DATE)
    assert entry.body.endswith("to 2027-03-01") and len(entries(account, ActivityKind.PRIORITY)) == 1


def test_both_changes_are_one_transaction_checked_before_either_is_written(app, admin, account):
    with pytest.raises(ValidationFailed):
        followups.change_account(account.id, {"priority": 3, "due_date": date(1800, 1, 1)}, actor=admin)
    db.session.refresh(account)
    assert account.priority == 1 and not events("account.priority_changed", account)


def test_a_due_date_is_cleared_with_null_and_an_unchanged_value_writes_nothing(api_as, admin, account):
    account.due_date = date(2026, 5, 1)
    api = api_as(admin)
    assert api.patch(f"/accounts/{account.id}/", json={"due_date": None}).json["due_date"] is None
    assert api.patch(f"/accounts/{account.id}/", json={"due_date": None}).status_code == 200
    assert len(events("account.due_date_changed", account)) == 1 and len(entries(account, ActivityKind.DUE_DATE)) == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "priority"),
        ({"priority": 4}, "priority"),
        ({"priority": "high"}, "priority"),
        ({"due_date": "1899-12-31"}, "due_date"),
        ({"due_date": "2201-01-01"}, "due_date"),
        ({"due_date": "01/02/2027"}, "due_date"),
        ({"priority": 1, "colour": "red"}, "colour"),
    ],
)
def test_bad_changes_are_a_422_and_change_nothing(api_as, admin, account, body, field):
    before = (account.priority, account.due_date)
    response = api_as(admin).patch(f"/accounts/{account.id}/", json=body)
    assert response.status_code == 422 and field in response.json["errors"], response.json
    db.session.expire_all()
    assert (account.priority, account.due_date) == before


def test_changes_need_a_token_an_admin_and_own_account(api_as, anonymous, admin, collector, assigned_account, foreign):
    url = f"/accounts/{assigned_account.id}/"
    assert anonymous.patch(url, json={"priority": 2}).status_code == 401
    assert api_as(collector).patch(url, json={"priority": 2}).status_code == 403
    assert api_as(collector).patch(url, json={"due_date": "2027-01-01"}).status_code == 403
    missing = api_as(admin).patch("/accounts/2147483647/", json={"priority": 2})
    other = api_as(admin).patch(f"/accounts/{foreign.account.id}/", json={"priority": 2})
    assert other.status_code == missing.status_code == 404 and other.json == missing.json


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_export_streams_the_filtered_list(api_as, admin, collector, agency, assigned_account, foreign):
    cheap = f.AccountFactory(agency=agency, priority=0, current_balance="50.00")
    api = api_as(admin)
    everything = rows(api.get("/accounts/export/?ordering=current_balance"))
    assert everything[0][0] == "Account" and [r[0] for r in everything[1:]][0] == cheap.external_ref
    assert foreign.account.external_ref not in {r[0] for r in everything}
    assert [r[0] for r in rows(api.get("/accounts/export/?priority=0"))[1:]] == [cheap.external_ref]
    filtered = rows(api.get(f"/accounts/export/?collector={collector.id}&status=assigned"))
    assert [r[0] for r in filtered[1:]] == [assigned_account.external_ref]
    exported = select(AuditEvent).where(AuditEvent.action == "accounts.exported").order_by(AuditEvent.id)
    *_, by_priority, by_collector = db.session.scalars(exported).all()
    assert by_priority.changes["rows"] == 1 and by_priority.changes["filters"]["priority"] == 0
    assert by_collector.changes["filters"]["status"] == "assigned"


def test_a_collector_exports_only_their_accounts(api_as, collector, agency, assigned_account):
    f.AccountFactory(agency=agency)
    assert [r[0] for r in rows(api_as(collector).get("/accounts/export/"))[1:]] == [assigned_account.external_ref]


def test_export_errors(api_as, anonymous, admin):
    assert anonymous.get("/accounts/export/").status_code == 401
    response = api_as(admin).get("/accounts/export/?priority=9")
    assert response.status_code == 422 and "priority" in response.json["errors"]
    assert api_as(admin).get("/accounts/export/?page_size=5").status_code == 422
