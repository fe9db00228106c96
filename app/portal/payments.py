"""Paying in the portal: any amount from the agency's smallest payment up to the balance, by card through the
same Stripe flow as staff pay links (``stripe_payments.open_card_payment``), marked as the debtor's own."""

from decimal import Decimal

from app.accounts.models import Account
from app.errors import ValidationFailed
from app.moneyfmt import money
from app.payments.models import Payment
from app.payments.services import ledger, stripe_api, stripe_payments
from app.portal import queries
from app.portal.models import PortalSession
from app.portal.settings import portal_settings

AMOUNT_RANGE = "Enter an amount from %(low)s to %(high)s."
CARDS_OFF = "Card payments are not available right now. Please contact the agency."


class AmountOutOfRange(ValidationFailed):
    """An amount outside what the account takes; ``params`` fill the catalogue's message."""

    def __init__(self, low: str, high: str):
        super().__init__(AMOUNT_RANGE, {"amount": AMOUNT_RANGE})
        self.params = {"low": low, "high": high}


def amount_bounds(account: Account) -> tuple[Decimal, Decimal]:
    """(smallest, largest) payment the account takes: the agency's minimum (or the whole balance when it is
    smaller than that) up to the balance."""
    minimum = portal_settings(account.agency_id).min_payment
    return min(minimum, account.current_balance), account.current_balance


def start_payment(visit: PortalSession, account_id: int, amount: str, idempotency_key: str) -> Payment:
    """A pending card payment of ``amount`` on one of the debtor's accounts, with its PaymentIntent.

    Raises NotFound (not the debtor's account), ValidationFailed (bad or out-of-range amount, card payments off,
    expired form) and ProcessorUnavailable while Stripe is down.
    """
    account = queries.get_account(visit, account_id)
    value, key = ledger.parse_amount(amount), ledger.check_idempotency_key(idempotency_key)
    low, high = amount_bounds(account)
    if not low <= value <= high:
        currency = ledger.account_currency(account)
        raise AmountOutOfRange(money(low, currency), money(high, currency))
    if not stripe_api.card_payments_enabled():
        raise ValidationFailed(CARDS_OFF)
    return stripe_payments.open_card_payment(account, value, key, None, via_portal=True)


def pay_page(payment: Payment) -> stripe_payments.PayPage:
    """The card step of a portal payment: the same states as the staff pay link's page."""
    return stripe_payments.get_pay_page(payment.pay_link_token or "")


def finish(payment: Payment) -> stripe_payments.PayPage:
    """Back from Stripe.js: ask Stripe for the outcome (as the pay link's return does) and show it."""
    if pay_page(payment).state == "payable":
        stripe_payments.sync_payment(payment.id)
    return pay_page(payment)
