"""Choosing a plan or a settlement offer in the portal, and autopay: the plans package's own services with the
debtor as the actor (``actor=None``, ``via="portal"``). This module only finds the debtor's account, locks it,
and commits; every rule about the terms, the bounds and the cards is the plans package's.
"""

from dataclasses import dataclass
from decimal import Decimal

from app.accounts.models import Account
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.plans import autopay, services, terms
from app.plans.models import OPEN_INSTALMENT_STATES, Plan, SavedCard
from app.portal import queries
from app.portal.models import PortalSession

# Regulation E (12 CFR 1005.10(c)): a consumer may stop a preauthorized debit by notice up to 3 business days
# before it is scheduled; the authorization says so.
STOP_NOTICE_BUSINESS_DAYS = 3
AUTHORIZATION = (
    "I authorize %(agency)s to charge the card I choose above for each instalment of this plan on its due date: "
    "%(schedule)s, %(total)s in all. A declined charge is tried once more %(retry)s days later. I can stop autopay "
    "at any time up to %(stop)s business days before a charge, by turning it off on this page or by calling or "
    "writing to %(agency)s."
)
NO_ACTIVE_PLAN = "This account has no active plan."


@dataclass
class PlanOptions:
    """What the account page offers: whether a plan can be chosen now, and the least a settlement may be."""

    can_plan: bool
    settlement_floor: Decimal | None


def plan_options(account: Account) -> PlanOptions:
    try:
        terms.check_account(account)
    except ValidationFailed:
        return PlanOptions(False, None)
    return PlanOptions(True, terms.settlement_floor(account))


def preview(account: Account, asked: terms.Terms, timezone: str) -> terms.Preview:
    """The schedule the debtor asked for, checked exactly as agreeing checks it; writes nothing."""
    return terms.preview(account, asked, timezone)


def choose(visit: PortalSession, account_id: int, asked: terms.Terms) -> Plan:
    """Agree the plan or settlement on the debtor's account, committed. Raises NotFound (not theirs), Conflict
    (a plan is active) and ValidationFailed (terms refused; nothing written)."""
    account = queries.get_account(visit, account_id, for_update=True)
    plan = services.agree_plan(account, asked, None, via="portal")
    db.session.commit()
    return plan


def active_plan(visit: PortalSession, account_id: int) -> tuple[Account, Plan]:
    """The debtor's account and its active plan; NotFound when it has none (nothing to set autopay on)."""
    account = queries.get_account(visit, account_id)
    plan = services.active_plan(account)
    if plan is None:
        raise NotFound(NO_ACTIVE_PLAN)
    return account, plan


def start_card_setup(visit: PortalSession, account_id: int) -> autopay.CardSetup:
    return autopay.begin_card_setup(queries.get_account(visit, account_id))


def keep_card(visit: PortalSession, account_id: int, setup_intent_id: str) -> SavedCard:
    """Keep the card the debtor saved with Stripe (back from Stripe.js), committed."""
    account = queries.get_account(visit, account_id, for_update=True)
    card = autopay.keep_card(account, setup_intent_id, None, via="portal")
    db.session.commit()
    return card


def set_autopay(visit: PortalSession, account_id: int, card_id: int | None, authorization: str = "") -> Plan:
    """Charge the active plan to ``card_id`` with the authorization text the debtor agreed to (None: turn autopay
    off), committed."""
    account = queries.get_account(visit, account_id, for_update=True)
    plan = services.active_plan(account)
    if plan is None:
        raise NotFound(NO_ACTIVE_PLAN)
    autopay.choose_autopay(plan, account, card_id, None, authorization)
    db.session.commit()
    return plan


def remove_card(visit: PortalSession, account_id: int, card_id: int) -> SavedCard:
    account = queries.get_account(visit, account_id, for_update=True)
    card = autopay.remove_card(account, card_id, None, via="portal")
    db.session.commit()
    return card


def authorization_params(agency_name: str, plan: Plan, money) -> dict:
    """The figures of the authorization text: the open instalments' dates and amounts, in the debtor's currency
    format (``money`` formats an amount)."""
    open_ones = [i for i in plan.instalments if i.state in OPEN_INSTALMENT_STATES]  # what autopay would charge
    schedule = "; ".join(f"{i.due_on.isoformat()} {money(i.due)}" for i in open_ones)
    return dict(
        agency=agency_name,
        schedule=schedule,
        total=money(sum((i.due for i in open_ones), Decimal(0))),
        retry=autopay.RETRY_DAYS,
        stop=STOP_NOTICE_BUSINESS_DAYS,
    )
