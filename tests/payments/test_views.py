"""Payment pages: the account page's payment card, the refund dialog, the payments list."""

import re
from decimal import Decimal

import pytest

from app.payments.models import PaymentStatus
from tests import factories as f
from tests.payments.helpers import balance, key, pay, payments_of

KEY = re.compile(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"')


def form_key(web, account) -> str:
    return KEY.search(web.get(f"/accounts/{account.id}").get_data(as_text=True)).group(1)


def test_account_page_shows_the_payment_card_with_a_fresh_key(login, collector, assigned_account):
    web = login(collector)
    body = web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert 'id="payments-card"' in body and "Record payment" in body and "Create pay link" in body
    assert form_key(web, assigned_account) != form_key(web, assigned_account)


def test_the_card_offers_payments_only_where_the_ledger_takes_them(login, agency, admin, collector, assigned_account):
    web = login(collector)
    pay(assigned_account, "1000.00", collector)  # paid in full: settled, nothing left to pay
    assert "Record payment" not in web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    closed = f.walk_to(f.AccountFactory(agency=agency), f.Status.CLOSED, admin=admin, collector=collector)
    assert "Record payment" not in web.get(f"/accounts/{closed.id}").get_data(as_text=True)


def test_recording_redirects_303_to_the_account_and_htmx_gets_the_main_block(login, collector, assigned_account):
    web = login(collector)
    data = {"amount": "100.00", "method": "check", "reference": "1042", "idempotency_key": key()}
    response = web.post(f"/payments/accounts/{assigned_account.id}/manual", data, htmx=True, target="account-main")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/accounts/{assigned_account.id}")
    page = web.get(f"/accounts/{assigned_account.id}", htmx=True, target="account-main").get_data(as_text=True)
    assert "<html" not in page and 'id="account-main"' in page and "Payment recorded." in page and "1042" in page
    assert balance(assigned_account) == Decimal("900.00")


def test_double_submit_of_one_form_records_once(login, collector, assigned_account):
    web, data = login(collector), {"amount": "100.00", "method": "cash", "idempotency_key": key()}
    for _ in range(3):
        assert web.post(f"/payments/accounts/{assigned_account.id}/manual", data).status_code == 303
    assert len(payments_of(assigned_account)) == 1


def test_overpayment_rerenders_the_form_with_a_message_and_422(login, collector, assigned_account):
    web = login(collector)
    data = {"amount": "5000", "method": "cash", "idempotency_key": key()}
    response = web.post(f"/payments/accounts/{assigned_account.id}/manual", data, htmx=True, target="account-main")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "above the current balance" in body and "<html" not in body


def test_other_collectors_and_agencies_get_404(login, other_collector, foreign, assigned_account):
    data = {"amount": "1", "method": "cash", "idempotency_key": key()}
    for user in (other_collector, foreign.admin):
        web = login(user)
        assert web.post(f"/payments/accounts/{assigned_account.id}/manual", data).status_code == 404


def test_admin_refunds_from_the_dialog(login, admin, collector, assigned_account):
    payment = pay(assigned_account, "100.00", collector)
    web = login(admin)
    assert "Refund…" in web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    data = {f"refund-{payment.id}-amount": "40", f"refund-{payment.id}-reason": "goodwill"}
    data[f"refund-{payment.id}-idempotency_key"] = key()
    assert web.post(f"/payments/{payment.id}/refund", data).status_code == 303
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and balance(assigned_account) == Decimal("940.00")


def test_over_refund_shows_the_message_in_the_open_dialog(login, admin, collector, assigned_account):
    payment = pay(assigned_account, "100.00", collector)
    data = {f"refund-{payment.id}-amount": "100.01", f"refund-{payment.id}-reason": "x"}
    data[f"refund-{payment.id}-idempotency_key"] = key()
    response = login(admin).post(f"/payments/{payment.id}/refund", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "left to refund" in body and '<details class="refund-dialog" open>' in body


def test_collectors_cannot_refund(login, collector, assigned_account):
    payment = pay(assigned_account, "100.00", collector)
    web = login(collector)
    assert "Refund…" not in web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert web.post(f"/payments/{payment.id}/refund", {}).status_code == 403


@pytest.mark.parametrize("who", ["admin", "collector", "other_collector"])
def test_payments_list_is_scoped(request, login, admin, collector, other_collector, assigned_account, foreign, who):
    pay(assigned_account, "12.34", collector)
    pay(foreign.account, "56.78", foreign.collector)
    body = login(request.getfixturevalue(who)).get("/payments/").get_data(as_text=True)
    assert "$56.78" not in body
    assert ("$12.34" in body) == (who != "other_collector")


def test_payments_list_filters_and_fragment(login, admin, collector, assigned_account):
    pay(assigned_account, "12.34", collector, method="cash")
    pay(assigned_account, "43.21", collector, method="check")
    web = login(admin)
    response = web.get("/payments/?method=cash", htmx=True, target="payment-table")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "$12.34" in body and "$43.21" not in body
    assert web.get("/payments/?date_from=nonsense").status_code == 422
    assert "$5.55" in web.get("/payments/").get_data(as_text=True)  # commission: 1.23 + 4.32, rounded per payment


def test_commission_totals_on_the_collectors_own_page(login, collector, other_collector, assigned_account, admin):
    pay(assigned_account, "100.00", collector)
    other = f.AccountFactory(agency=admin.agency)
    f.walk_to(other, f.Status.ASSIGNED, admin=admin, collector=other_collector)
    pay(other, "300.00", other_collector)
    body = login(collector).get("/payments/").get_data(as_text=True)
    assert 'id="commission-title"' in body and "$10.00" in body and "$30.00" not in body


def test_bogus_filters_answer_422_not_500(login, admin):
    web = login(admin)
    assert web.get("/payments/?status=bogus&method=nope").status_code == 422


def test_collector_creates_a_pay_link_from_the_account_page(login, collector, assigned_account):
    web = login(collector)
    data = {"amount": "60.00", "idempotency_key": key()}
    assert web.post(f"/payments/accounts/{assigned_account.id}/card", data).status_code == 303
    body = web.get(f"/accounts/{assigned_account.id}").get_data(as_text=True)
    assert 'class="pay-link"' in body and "/payments/pay/" in body and "Pending" in body


def test_stripe_down_shows_a_clear_message_on_the_account_page(app, monkeypatch, login, collector, assigned_account):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    data = {"amount": "60.00", "idempotency_key": key()}
    response = login(collector).post(f"/payments/accounts/{assigned_account.id}/card", data, htmx=True)
    assert response.status_code == 503 and "card processor" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flash"
