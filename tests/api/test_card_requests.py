"""A card payment request (pay link) through the API, against localstripe."""

from tests.payments.conftest import localstripe_url, stripe_config  # noqa: F401  (the real Stripe API server)


def test_a_card_request_returns_the_pay_link(api_as, collector, assigned_account):
    response = api_as(collector).post("/payments/card-request/", json={"account": assigned_account.id, "amount": 50})
    assert response.status_code == 201 and response.json["status"] == "pending"
    assert response.json["amount"] == "50.00" and "/pay/" in response.json["pay_url"]
