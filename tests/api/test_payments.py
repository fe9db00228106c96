"""``/api/v1/payments``: list with filters (``account`` included), detail, manual payments with amounts as JSON
numbers or strings (read as decimals, never floats), refunds."""

from decimal import Decimal

import pytest

from tests import factories as f
from tests.payments.helpers import balance, pay


def record(api, account, amount, **extra):
    body = {"account": account.id, "amount": amount, "payment_method": "check", **extra}
    return api.post("/payments/", json=body)


@pytest.mark.parametrize("amount", ["125.10", 125.10, 125.1])
def test_a_manual_payment_reads_the_amount_exactly(api_as, collector, assigned_account, amount):
    response = record(api_as(collector), assigned_account, amount, reference="chk 100")
    assert response.status_code == 201 and response.json["amount"] == "125.10"
    assert response.json["status"] == "completed" and response.json["payment_method"] == "check"
    assert balance(assigned_account) == Decimal("874.90")


def test_a_number_with_many_digits_is_not_rounded_through_a_float(api_as, collector, assigned_account):
    api = api_as(collector)
    body = '{"account": %d, "amount": 0.1000000000000000055511151231257827, "payment_method": "cash"}'
    response = api.post("/payments/", data=body % assigned_account.id, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "amount" in response.json["errors"]


@pytest.mark.parametrize("amount", ["-5", "0", "abc", 1e400, True, "1.005", None])
def test_bad_amounts_are_refused(api_as, collector, assigned_account, amount):
    response = record(api_as(collector), assigned_account, amount)
    assert response.status_code in (400, 422) and balance(assigned_account) == Decimal("1000.00")


def test_more_than_the_balance_is_refused(api_as, collector, assigned_account):
    response = record(api_as(collector), assigned_account, "1000.01")
    assert response.status_code == 422 and balance(assigned_account) == Decimal("1000.00")


def test_card_is_not_a_manual_method(api_as, collector, assigned_account):
    assert record(api_as(collector), assigned_account, "5", payment_method="card").status_code == 422


def test_the_processor_field_of_the_descriptions_client_is_accepted(api_as, collector, assigned_account):
    assert record(api_as(collector), assigned_account, "5", processor="anything").status_code == 201


def test_the_list_filters_by_account(api_as, admin, collector, assigned_account, agency):
    other = f.walk_to(f.AccountFactory(agency=agency), f.Status.ASSIGNED, admin=admin, collector=collector)
    mine, theirs = pay(assigned_account, "10.00", collector), pay(other, "20.00", collector)
    api = api_as(admin)
    rows = api.get(f"/payments/?account={assigned_account.id}").json["results"]
    assert [r["id"] for r in rows] == [mine.id]
    assert [r["id"] for r in api.get("/payments/?method=check").json["results"]] == [theirs.id, mine.id]
    assert api.get("/payments/?status=refunded").json["results"] == []


def test_the_detail(api_as, collector, assigned_account):
    payment = pay(assigned_account, "10.00", collector)
    detail = api_as(collector).get(f"/payments/{payment.id}/").json
    assert detail["account"] == assigned_account.id and detail["amount"] == "10.00"


def test_a_refund_defaults_to_what_is_left(api_as, admin, collector, assigned_account):
    payment = pay(assigned_account, "40.00", collector)
    api = api_as(admin)
    partial = api.post(f"/payments/{payment.id}/refund/", json={"amount": 15, "reason": "overpaid"})
    assert partial.status_code == 200 and partial.json["refunded_amount"] == "15.00"
    rest = api.post(f"/payments/{payment.id}/refund/", json={})
    assert rest.json["refunded_amount"] == "40.00" and rest.json["status"] == "refunded"
    assert balance(assigned_account) == Decimal("1000.00")


def test_refunds_are_for_admins_and_never_exceed_the_payment(api_as, admin, collector, assigned_account):
    payment = pay(assigned_account, "40.00", collector)
    assert api_as(collector).post(f"/payments/{payment.id}/refund/", json={}).status_code == 403
    assert api_as(admin).post(f"/payments/{payment.id}/refund/", json={"amount": "40.01"}).status_code == 422
