"""The account page's plan card: its template context (``templates/plans/_section.html``)."""

from app.accounts.models import Account
from app.auth.models import User
from app.payments.services import stripe_api
from app.plans import autopay
from app.plans.forms import PlanForm
from app.plans.models import PlanState
from app.plans.services import list_plans

SHOWN_PLANS = 5


def plan_section(account: Account, viewer: User, forms: dict) -> dict:
    """The account's latest promises and plans, the form (with its errors after a refusal) and a preview."""
    plans = list_plans(account.id, viewer=viewer)[:SHOWN_PLANS]
    return dict(
        plans=plans,
        has_active_plan=any(p.state == PlanState.ACTIVE for p in plans),
        plan_form=forms.get("plan_form") or PlanForm(formdata=None),
        plan_preview=forms.get("plan_preview"),
        saved_cards=autopay.saved_cards(account),
        card_setup_enabled=stripe_api.card_payments_enabled(),
    )
