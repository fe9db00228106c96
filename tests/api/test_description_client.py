"""A client written against the product description (its API table and the study's field names) works
unchanged: the calls it makes, in its order, and the fields it reads from each answer."""

import io
from decimal import Decimal

from tests import factories as f

BASE = "/api/v1"


class DescriptionClient:
    """What the description's web client does: JWT-style login, then Bearer calls; it follows ``next`` links."""

    def __init__(self, client):
        self.client, self.access = client, None

    def login(self, username: str, password: str) -> set:
        body = self.client.post(f"{BASE}/auth/token/", json={"username": username, "password": password}).json
        self.access = body["access"]
        return set(body)

    def call(self, method: str, path: str, expect: int = 200, **kw):
        url = path if path.startswith("http") else BASE + path
        response = self.client.open(url, method=method, headers={"Authorization": f"Bearer {self.access}"}, **kw)
        assert response.status_code == expect, (path, response.get_data(as_text=True))
        return response.json


def test_the_descriptions_client_works_unchanged(client, admin, collector, agency):
    accounts = [f.AccountFactory(agency=agency, current_balance=Decimal("1500.00")) for _ in range(3)]
    app = DescriptionClient(client)
    assert {"access", "refresh"} <= app.login(admin.username, f.PASSWORD)
    me = app.call("GET", "/auth/me/")
    assert {"id", "username", "email", "role", "agency"} <= set(me)

    page = app.call("GET", "/accounts/?status=new&min_balance=1000&ordering=-created_at&page_size=2")
    assert set(page) == {"next", "previous", "results"}
    row = page["results"][0]
    assert {
        "id",
        "external_ref",
        "debtor_name",
        "status",
        "original_amount",
        "current_balance",
        "priority",
        "collector_name",
        "due_date",
        "last_contact_at",
        "created_at",
    } <= set(row)
    assert row["current_balance"] == "1500.00"
    rest = app.call("GET", page["next"])
    assert len(page["results"]) + len(rest["results"]) == 3

    account_id = accounts[0].id
    detail = app.call("GET", f"/accounts/{account_id}/")
    assert {"debtor", "assigned_to", "recent_activities", "external_ref", "current_balance"} <= set(detail)
    assert {
        "full_name",
        "ssn_last4",
        "email",
        "phone",
        "address_line1",
        "address_city",
        "address_state",
        "address_zip",
    } <= set(detail["debtor"])

    app.call("POST", f"/accounts/{account_id}/assign/", json={"collector_id": collector.id})
    note = app.call("POST", f"/accounts/{account_id}/add-note/", 201, json={"text": "Left a voicemail."})
    assert {"id", "activity_type", "description", "metadata", "user_name", "created_at"} <= set(note)
    moved = app.call("POST", f"/accounts/{account_id}/transition/", json={"new_status": "in_contact", "note": ""})
    assert moved["status"] == "in_contact"
    timeline = app.call("GET", f"/accounts/{account_id}/timeline/")
    assert timeline["results"][0]["activity_type"] == "status_change"

    paid = app.call(
        "POST",
        "/payments/",
        201,
        json={"account": account_id, "processor": 1, "amount": 250.5, "payment_method": "check"},
    )
    assert {"id", "account", "amount", "payment_method", "status", "created_at"} <= set(paid)
    assert paid["amount"] == "250.50"
    listed = app.call("GET", f"/payments/?account={account_id}")["results"]
    assert [p["id"] for p in listed] == [paid["id"]]
    refunded = app.call("POST", f"/payments/{paid['id']}/refund/", json={"reason": "duplicate"})
    assert refunded["status"] == "refunded"

    upload = {"file": (io.BytesIO(b"external_ref,debtor_name,original_amount\nZ1,Zed,oops\n"), "z.csv")}
    job = app.call("POST", "/imports/", 202, data=upload, content_type="multipart/form-data")
    jobs = app.call("GET", "/imports/")["results"]
    assert {
        "id",
        "file_name",
        "status",
        "total_records",
        "processed_ok",
        "processed_errors",
        "started_at",
        "completed_at",
        "created_at",
    } <= set(jobs[0])
    errors = app.call("GET", f"/imports/{job['id']}/errors/")["results"]
    assert {"line", "error"} <= set(errors[0])
    assert app.call("POST", "/imports/trigger/", 202)["status"] == "triggered"

    dashboard = app.call("GET", "/analytics/dashboard/")
    assert {"total_accounts", "total_outstanding", "total_collected", "recovery_rate"} <= set(dashboard)
    collectors = app.call("GET", "/analytics/collectors/")
    assert {"collector_name", "total_collected"} <= set(collectors[0])
    trend = app.call("GET", "/analytics/payments/trends/?granularity=day&days=7")
    assert {"period", "total", "count"} <= set(trend[0])
    aging = app.call("GET", "/analytics/aging-report/")
    assert {"bucket", "count", "total_balance"} <= set(aging[0])
