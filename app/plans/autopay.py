"""Autopay: a card saved with a Stripe SetupIntent, and each instalment charged to it off-session on its due date.

Card details go from the browser to Stripe (Stripe Elements); DebtFlow keeps the customer's and the payment method's
ids. Charges go through the payment services (a card ``Payment`` with an idempotency key per instalment and attempt,
Stripe behind the circuit breaker), so a successful one is applied to the plan like any other payment. A declined
charge is retried once, ``RETRY_DAYS`` later; a second decline marks the instalment missed and breaks the plan.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.accounts import queries as account_queries
from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry
from app.agencies.models import Agency
from app.agencyday import local_today
from app.audit import services as audit
from app.auth.models import User
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.payments.models import Payment, PaymentMethod
from app.payments.services import ledger, stripe_api
from app.payments.services.breaker import ProcessorUnavailable
from app.payments.services.stripe_payments import apply_intent_status
from app.plans import events
from app.plans.models import OPEN_INSTALMENT_STATES, Instalment, Plan, PlanState, SavedCard
from app.plans.services import get_plan
from app.plans.sweep import break_plan
from app.timeutil import utcnow

RETRY_DAYS = 3
MAX_ATTEMPTS = 2  # the first charge and one retry


@dataclass
class CardSetup:
    """What the browser needs to collect a card for the SetupIntent (Stripe Elements)."""

    setup_intent_id: str
    client_secret: str
    publishable_key: str


def start_card_setup(account_id: int, *, actor: User) -> CardSetup:
    """``begin_card_setup`` on an account the actor may see. Raises NotFound outside the actor's scope."""
    return begin_card_setup(account_queries.get_account(actor, account_id))


def begin_card_setup(account: Account) -> CardSetup:
    """A Stripe customer and a SetupIntent for saving the debtor's card on ``account`` (the caller's, already
    checked: staff above, or the debtor portal); nothing stored yet.

    Raises ValidationFailed when card payments are off or Stripe refuses, ProcessorUnavailable while it is down.
    """
    metadata = {"account_id": str(account.id), "agency_id": str(account.agency_id)}
    key = uuid.uuid4().hex
    customer = stripe_api.create_customer(metadata, idempotency_key=f"cus-{account.agency_id}-{key}")
    intent = stripe_api.create_setup_intent(customer["id"], metadata, idempotency_key=f"seti-{account.agency_id}-{key}")
    return CardSetup(intent["id"], intent["client_secret"], current_app.config["STRIPE_PUBLISHABLE_KEY"])


def save_card(account_id: int, setup_intent_id: str, *, actor: User) -> SavedCard:
    """``keep_card`` on an account the actor may see, committed. Raises NotFound outside the actor's scope."""
    account = account_queries.get_account(actor, account_id, for_update=True)
    card = keep_card(account, setup_intent_id, actor)
    db.session.commit()
    return card


def keep_card(account: Account, setup_intent_id: str, actor: User | None, via: str = "") -> SavedCard:
    """Keep the card of a succeeded SetupIntent made for ``account`` (locked, the caller's; ``actor`` None and
    ``via="portal"`` for the debtor); the same intent kept twice is one card. No commit.

    Raises NotFound for an intent unknown or made for another account, ValidationFailed for one not succeeded.
    """
    existing = db.session.scalars(select(SavedCard).where(SavedCard.setup_intent_ref == setup_intent_id)).first()
    if existing is not None and existing.agency_id == account.agency_id and existing.account_id == account.id:
        return existing
    intent = _setup_intent_of(account, setup_intent_id)
    card = SavedCard(
        agency_id=account.agency_id,
        account_id=account.id,
        customer_ref=intent["customer"],
        payment_method_ref=intent["payment_method"],
        setup_intent_ref=intent["id"],
        created_by_id=actor.id if actor else None,
    )
    db.session.add(card)
    db.session.flush()
    body = "Card saved for autopay" + (f" ({via})" if via else "")
    add_timeline_entry(account, ActivityKind.NOTE, body, actor, saved_card_id=card.id, via=via)
    audit.record(actor, account.agency_id, "card.saved", "saved_card", card.id, {"account_id": account.id})
    return card


def _setup_intent_of(account: Account, setup_intent_id: str) -> dict:
    if not isinstance(setup_intent_id, str) or not setup_intent_id.startswith("seti_") or len(setup_intent_id) > 255:
        raise NotFound("Card set-up not found.")
    try:
        intent = stripe_api.retrieve_setup_intent(setup_intent_id)
    except ValidationFailed:  # Stripe knows no such intent
        raise NotFound("Card set-up not found.") from None
    metadata = intent.get("metadata") or {}
    if metadata.get("account_id") != str(account.id) or metadata.get("agency_id") != str(account.agency_id):
        raise NotFound("Card set-up not found.")
    if intent["status"] != "succeeded" or not intent.get("payment_method"):
        raise ValidationFailed("The card was not saved: the card set-up did not succeed.")
    return intent


def saved_cards(account: Account) -> list[SavedCard]:
    """The account's saved cards (not removed), newest first."""
    stmt = select(SavedCard).where(
        SavedCard.account_id == account.id, SavedCard.agency_id == account.agency_id, SavedCard.removed_at.is_(None)
    )
    return list(db.session.scalars(stmt.order_by(SavedCard.id.desc())))


def set_autopay(plan_id: int, card_id: int | None, *, actor: User) -> Plan:
    """``choose_autopay`` on a plan of an account the actor may see, committed. Raises NotFound outside the scope."""
    plan, account = get_plan(actor, plan_id, for_update=True)
    choose_autopay(plan, account, card_id, actor)
    db.session.commit()
    return plan


def choose_autopay(
    plan: Plan, account: Account, card_id: int | None, actor: User | None, authorization: str = ""
) -> None:
    """Charge the active plan's instalments to the account's saved card ``card_id`` (None: stop autopay). No commit.

    ``authorization`` is the text of the recurring-debit authorization the debtor agreed to (Regulation E), kept
    in the audit event as the copy of what they agreed to.

    Raises NotFound for a card not saved on this account, Conflict for a plan not active.
    """
    if plan.state != PlanState.ACTIVE:
        raise Conflict("Autopay is set on an active plan only.")
    card = next((c for c in saved_cards(account) if c.id == card_id), None)
    if card_id is not None and card is None:
        raise NotFound("Card not found.")
    old, plan.autopay_card_id = plan.autopay_card_id, card_id
    body = f"Autopay on: {card.label}" if card else "Autopay off"
    add_timeline_entry(account, ActivityKind.NOTE, body, actor, plan_id=plan.id)
    changes = {"autopay_card_id": {"old": old, "new": card_id}}
    if authorization:
        changes["authorization"] = {"old": None, "new": authorization}
    audit.record(actor, account.agency_id, "plan.autopay_set", "plan", plan.id, changes)


def remove_card(account: Account, card_id: int, actor: User | None, via: str = "") -> SavedCard:
    """Remove a saved card of ``account`` (locked, the caller's): it is no longer shown nor charged, and any active
    plan charging it stops autopay. The row stays (payments and the audit trail name it). No commit.

    Raises NotFound for a card not saved on this account (or already removed), ProcessorUnavailable while Stripe
    is down (nothing removed: try again).
    """
    card = next((c for c in saved_cards(account) if c.id == card_id), None)
    if card is None:
        raise NotFound("Card not found.")
    _detach_at_stripe(card)
    card.removed_at = utcnow()
    charging = select(Plan).where(
        Plan.agency_id == account.agency_id, Plan.autopay_card_id == card.id, Plan.state == PlanState.ACTIVE
    )
    for plan in db.session.scalars(charging):
        choose_autopay(plan, account, None, actor)
    body = f"Saved card removed: {card.label}" + (f" ({via})" if via else "")
    add_timeline_entry(account, ActivityKind.NOTE, body, actor, saved_card_id=card.id, via=via)
    changes = {"account_id": account.id, **audit.diff({}, {"removed_at": card.removed_at})}
    audit.record(actor, account.agency_id, "card.removed", "saved_card", card.id, changes)
    return card


def _detach_at_stripe(card: SavedCard) -> None:
    """Have Stripe forget the card too, so nothing can charge it. A refusal means Stripe no longer holds it
    attached (or card payments were turned off since): the card is removed here all the same."""
    try:
        stripe_api.detach_payment_method(card.payment_method_ref)
    except ValidationFailed:
        pass


def charge_due_instalments(now: datetime | None = None) -> dict[str, int]:
    """Charge every autopay instalment due (or due for its retry) by its agency's today; one commit per charge.

    Returns counts by outcome ("paid", "declined", "missed", "unavailable").
    """
    now = now or utcnow()
    counts: dict[str, int] = {}
    for instalment_id, tz in _due_charges(now.date() + timedelta(days=1)):
        outcome = _charge(instalment_id, local_today(tz, now), now)
        if outcome:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _due_charges(latest) -> list[tuple[int, str]]:
    """(instalment id, agency timezone) of the open instalments of active autopay plans to charge by ``latest`` (no
    agency's today is later than the UTC date's next day); ``_charge`` compares with the agency's own today."""
    stmt = (
        select(Instalment.id, Agency.timezone)
        .join(Plan, Plan.id == Instalment.plan_id)
        .join(Agency, Agency.id == Instalment.agency_id)
        .where(
            Plan.state == PlanState.ACTIVE,
            Plan.autopay_card_id.is_not(None),
            Instalment.state.in_(OPEN_INSTALMENT_STATES),
            Instalment.charge_attempts < MAX_ATTEMPTS,
            func.coalesce(Instalment.retry_on, Instalment.due_on) <= latest,
        )
        .order_by(Instalment.id)
    )
    return [tuple(row) for row in db.session.execute(stmt)]


def _charge(instalment_id: int, today, now: datetime) -> str | None:
    """Charge one instalment if its day (due, or retry) has come in its agency; None when it has not."""
    instalment = db.session.get(Instalment, instalment_id)
    if (instalment.retry_on or instalment.due_on) > today:
        return None
    account = db.session.scalars(
        select(Account).where(Account.id == instalment.plan.account_id).with_for_update()
    ).one()
    amount = min(instalment.due, account.current_balance)
    if amount <= 0:
        db.session.rollback()
        return "nothing_due"
    key = f"autopay-{instalment.id}-{instalment.charge_attempts + 1}"
    payment = ledger.find_by_key(account.agency_id, key) or ledger.new_payment(
        account, amount, PaymentMethod.CARD, key, None
    )
    db.session.commit()  # the pending payment exists before Stripe is asked: a crash leaves a trace to reconcile
    return _charge_payment(payment, instalment, today, now)


def _charge_payment(payment: Payment, instalment: Instalment, today, now: datetime) -> str:
    card = instalment.plan.autopay_card
    metadata = {"payment_id": str(payment.id), "agency_id": str(payment.agency_id), "instalment_id": str(instalment.id)}
    try:
        intent = stripe_api.charge_saved_card(
            payment.amount,
            payment.currency,
            card.customer_ref,
            card.payment_method_ref,
            metadata,
            idempotency_key=f"pay-{payment.agency_id}-{payment.idempotency_key}",
        )
    except ProcessorUnavailable:
        return "unavailable"  # an outage is not a decline: the next run tries again
    except ValidationFailed as exc:
        return _declined(payment, instalment, exc.message, today, now)
    payment.processor_ref = intent["id"]
    apply_intent_status(payment, intent["status"], "", expire=False)
    audit.record(
        None, payment.agency_id, "payment.autopay_charged", "payment", payment.id, {"amount": str(payment.amount)}
    )
    db.session.commit()
    return "paid" if intent["status"] == "succeeded" else intent["status"]


def _declined(payment: Payment, instalment: Instalment, reason: str, today, now: datetime) -> str:
    """A decline: the payment failed; a retry in ``RETRY_DAYS`` after the first, the instalment missed after it."""
    account, payment = ledger.lock_account_of(payment)
    ledger.fail(payment, reason)
    instalment.charge_attempts += 1
    audit.record(None, payment.agency_id, "payment.failed", "payment", payment.id, {"status": {"new": "failed"}})
    if instalment.charge_attempts < MAX_ATTEMPTS:
        instalment.retry_on = today + timedelta(days=RETRY_DAYS)
        body = f"Autopay charge declined ({reason}); retry on {instalment.retry_on.isoformat()}"
        add_timeline_entry(account, ActivityKind.NOTE, body, None, payment_id=payment.id)
        events.charge_declined.send(instalment, account=account, payment=payment)
        db.session.commit()
        return "declined"
    break_plan(instalment.plan, account, [instalment], now, "declined twice by the card")
    db.session.commit()
    return "missed"
