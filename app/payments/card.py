"""The payment card of the account page: its context, built here so the accounts views need one call."""

from app.accounts.models import Account
from app.auth.models import User
from app.payments import queries
from app.payments.forms import CardRequestForm, ManualPaymentForm, RefundForm
from app.payments.services.ledger import takes_payments
from app.payments.services.stripe_api import card_payments_enabled


def payment_card(account: Account, viewer: User, forms: dict) -> dict:
    """Context for the account page's payment card: recent payments and the action forms this viewer has."""
    refund_for = forms.get("refund_form") or (None, None)
    return dict(
        payments=queries.account_payments(account),
        manual_form=forms.get("manual_form") or ManualPaymentForm(formdata=None),
        card_form=forms.get("card_form") or CardRequestForm(formdata=None),
        refund_forms={refund_for[0]: refund_for[1]} if refund_for[0] else {},
        new_refund_form=lambda payment: RefundForm(formdata=None, prefix=f"refund-{payment.id}"),
        takes_payments=takes_payments(account),
        card_payments=card_payments_enabled(),
        can_refund=viewer.is_admin,
    )
