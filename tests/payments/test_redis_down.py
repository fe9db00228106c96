"""Card payments with Redis (which holds the breaker's state) unreachable: refused with a clear message, never 500."""

import pytest

from app.payments.services import stripe_payments
from tests.jobs.conftest import redis_down  # noqa: F401  (a fixture)
from tests.payments.helpers import key


def test_a_pay_link_says_card_payments_are_briefly_unavailable(request, web, assigned_account, collector):
    payment = stripe_payments.request_card_payment(assigned_account.id, "40.00", key(), actor=collector)
    request.getfixturevalue("redis_down")
    response = web.get(f"/payments/pay/{payment.pay_link_token}")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "Card payments are briefly unavailable" in body
    assert 'id="pay-form"' not in body and "_secret_" not in body


@pytest.mark.usefixtures("redis_down")
def test_a_card_request_is_refused_while_the_breaker_state_is_unknown(login, collector, assigned_account):
    data = {"amount": "60.00", "idempotency_key": key()}
    response = login(collector).post(f"/payments/accounts/{assigned_account.id}/card", data, htmx=True)
    assert response.status_code == 503 and "briefly unavailable" in response.get_data(as_text=True)
