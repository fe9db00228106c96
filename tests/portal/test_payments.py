"""Paying in the portal: any amount from the agency's minimum up to the balance, by card through localstripe."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Activity
from app.extensions import db as _db
from app.payments.models import Payment, PaymentStatus
from app.portal.models import PortalSettings
from tests import factories as f

pytestmark = pytest.mark.usefixtures("stripe_config")


@pytest.fixture
def signed_in(portal, debtor_account):
    assert portal.sign_in(debtor_account.external_ref).status_code == 303
    return portal


def pay(portal, account, amount: str):
    return portal.post(
        f"/accounts/{account.id}/pay", {"amount": amount, "idempotency_key": f"portal-{amount}-key-0001"}
    )


def payments_of(account) -> list[Payment]:
    return list(_db.session.scalars(select(Payment).where(Payment.account_id == account.id)))


def test_a_part_payment_opens_the_card_step_and_completes_on_the_timeline(signed_in, debtor_account, stripe_client, db):
    response = pay(signed_in, debtor_account, "50.00")
    (payment,) = payments_of(debtor_account)
    assert response.status_code == 303 and response.location.endswith(f"/payments/{payment.id}/card")
    assert payment.via_portal and payment.created_by_id is None and payment.status == PaymentStatus.PENDING
    card = signed_in.get(f"/payments/{payment.id}/card")
    page = card.get_data(as_text=True)
    assert card.status_code == 200 and 'id="pay-form"' in page and "Pay $50.00" in page
    assert "js.stripe.com" in card.headers["Content-Security-Policy"]
    stripe_client.v1.payment_intents.update(payment.processor_ref, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(payment.processor_ref)
    done = signed_in.get(f"/payments/{payment.id}/done")
    assert "Thank you: your payment of $50.00 was received." in done.get_data(as_text=True)
    db.session.refresh(debtor_account)
    assert debtor_account.current_balance == Decimal("350.00")
    bodies = db.session.scalars(select(Activity.body).where(Activity.account_id == debtor_account.id))
    assert "Paid $50.00 through the portal" in list(bodies)


@pytest.mark.parametrize("amount", ["5.00", "400.00"], ids=["minimum", "whole-balance"])
def test_the_minimum_and_the_whole_balance_are_accepted(signed_in, debtor_account, amount):
    assert pay(signed_in, debtor_account, amount).status_code == 303


@pytest.mark.parametrize(
    "amount, message",
    [
        ("4.99", "Enter an amount from $5.00 to $400.00."),
        ("400.01", "Enter an amount from $5.00 to $400.00."),
        ("0", "Enter a positive amount"),
        ("-5", "Enter a positive amount"),
        ("1e3", "Enter a positive amount"),
        ("99999999999999999999", "Enter a positive amount"),
        ("12.345", "Enter a positive amount"),
        ("abc", "Enter a positive amount"),
        ("", "This field is required."),
        ("9" * 30, "This is too long."),
    ],
    ids=["below-min", "above-balance", "zero", "negative", "exponent", "absurd", "3-decimals", "word", "empty", "long"],
)
def test_out_of_range_and_bad_amounts_are_422_and_write_nothing(signed_in, debtor_account, amount, message):
    response = pay(signed_in, debtor_account, amount)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert payments_of(debtor_account) == []


def test_a_nul_byte_in_the_amount_is_a_400(signed_in, debtor_account):
    assert pay(signed_in, debtor_account, "5\x00").status_code == 400
    assert payments_of(debtor_account) == []


def test_the_agencys_own_minimum_applies_and_a_smaller_balance_may_be_paid_whole(signed_in, debtor_account, db):
    db.session.add(PortalSettings(agency_id=debtor_account.agency_id, min_payment=Decimal("20.00")))
    db.session.commit()
    assert pay(signed_in, debtor_account, "19.99").status_code == 422
    debtor_account.current_balance = Decimal("12.00")
    db.session.commit()
    assert "from $12.00 to $12.00" in pay(signed_in, debtor_account, "11.00").get_data(as_text=True)
    assert pay(signed_in, debtor_account, "12.00").status_code == 303


def test_the_amount_error_is_in_spanish_for_a_spanish_reader(signed_in, debtor_account):
    signed_in.get("/accounts/?lang=es")
    page = pay(signed_in, debtor_account, "1.00").get_data(as_text=True)
    assert "Escriba una cantidad entre $5.00 y $400.00." in page


def test_another_debtors_portal_payment_is_a_404(signed_in, agency, admin):
    from app.payments.services.stripe_payments import open_card_payment

    other = f.AccountFactory(agency=agency)
    payment = open_card_payment(other, Decimal("5.00"), "other-debtor-key-0001", None, via_portal=True)
    assert signed_in.get(f"/payments/{payment.id}/card").status_code == 404
    assert signed_in.get(f"/payments/{payment.id}/done").status_code == 404


def test_a_staff_pay_link_payment_is_not_shown_in_the_portal(signed_in, debtor_account, admin):
    from app.payments.services.stripe_payments import request_card_payment

    payment = request_card_payment(debtor_account.id, "5.00", "staff-made-key-00001", actor=admin)
    assert signed_in.get(f"/payments/{payment.id}/card").status_code == 404
