"""The public pay page and Stripe's webhooks have no signed-in user: run as the app's role under row-level
security (``app_role``; on SQLite the same flow without it) they find the payment from its token or intent,
unscoped, and complete it."""

from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.payments.models import PaymentStatus
from tests.payments.helpers import balance
from tests.payments.test_webhooks import card_payment, succeeded


def test_the_pay_page_and_the_webhook_work_as_the_app_role(app_role, web, send_webhook, assigned_account, collector):
    payment = card_payment(assigned_account, "100.00", collector)
    assert web.get(f"/payments/pay/{payment.pay_link_token}").status_code == 200
    response = send_webhook(succeeded(payment))
    assert response.status_code == 200 and response.json == {"status": "processed"}
    assert payment.status == PaymentStatus.COMPLETED and balance(assigned_account) == Decimal("900.00")
    assert app_role is None or db.session.scalar(select(func.current_user())) == app_role
