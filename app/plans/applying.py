"""Payments and refunds on an account move its plan: any applied payment covers the earliest open instalments; a
refund takes back what that payment covered, latest instalment first. Receivers of ``app.payments.signals``, so
every payment path (manual, card, webhook, reconciliation) goes through here in its own transaction."""

from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry, set_status
from app.accounts.states import OPEN_STATUSES, Status
from app.audit import services as audit
from app.auth.models import User
from app.extensions import db
from app.payments import signals
from app.payments.models import Payment
from app.plans import accountstate
from app.plans.models import (
    OPEN_INSTALMENT_STATES,
    ZERO,
    Allocation,
    Instalment,
    InstalmentState,
    Plan,
    PlanKind,
    PlanState,
)
from app.plans.services import active_plan, end, waive


def connect() -> None:
    """Listen to the payment services (the app factory's blueprint registration calls this once)."""
    signals.payment_applied.connect(on_payment_applied)
    signals.refund_applied.connect(on_refund_applied)


def on_payment_applied(payment: Payment, *, account: Account, applied: Decimal, actor: User | None) -> None:
    """Cover the active plan's earliest open instalments with what the payment put on the balance."""
    if account.plan_due_on is None or applied <= 0:
        return  # no active plan: an active one always has an open instalment (``accountstate``); no query
    plan = active_plan(account)
    left = applied
    for instalment in [i for i in plan.instalments if i.state in OPEN_INSTALMENT_STATES]:
        take = min(left, instalment.due)
        instalment.amount_paid += take
        instalment.state = state_of(instalment)
        db.session.add(Allocation(agency_id=plan.agency_id, instalment=instalment, payment_id=payment.id, amount=take))
        left -= take
        if left == 0:
            break
    if all(i.state == InstalmentState.PAID for i in plan.instalments):
        _complete(plan, account, actor)
    accountstate.refresh(account)


def _complete(plan: Plan, account: Account, actor: User | None) -> None:
    """A plan paid in full: completed; a settlement forgives the rest of the balance and settles the account."""
    end(plan, PlanState.COMPLETED)
    add_timeline_entry(account, ActivityKind.NOTE, f"{plan.kind.label} kept: paid in full", actor, plan_id=plan.id)
    changes = {"state": {"old": PlanState.ACTIVE.value, "new": PlanState.COMPLETED.value}}
    audit.record(actor, account.agency_id, f"{plan.kind.value}.completed", "plan", plan.id, changes)
    if plan.kind == PlanKind.SETTLEMENT and account.current_balance > 0:
        waive(plan, account, account.current_balance, actor)
        if account.status in OPEN_STATUSES:
            set_status(account, Status.SETTLED, actor, note="settlement paid", system="settlement")


def on_refund_applied(payment: Payment, *, account: Account, amount: Decimal, actor: User | None) -> None:
    """Take back up to ``amount`` of what the payment covered, latest instalment first; a completed plan so
    reopened is active again (a settlement's waiver undone, the account back in ``payment_plan``)."""
    left, plans = amount, set()
    for allocation in _allocations_latest_first(payment):
        take = min(left, allocation.amount)
        instalment = allocation.instalment
        instalment.amount_paid -= take
        instalment.state = state_of(instalment)
        allocation.amount -= take
        if allocation.amount == 0:
            db.session.delete(allocation)
        plans.add(instalment.plan)
        left -= take
        if left == 0:
            break
    for plan in plans:
        _reopen(plan, account, actor)
    if plans:
        accountstate.refresh(account)


def _allocations_latest_first(payment: Payment) -> list[Allocation]:
    stmt = (
        select(Allocation)
        .join(Instalment, Instalment.id == Allocation.instalment_id)
        .where(Allocation.payment_id == payment.id, Allocation.agency_id == payment.agency_id)
        .order_by(Instalment.plan_id.desc(), Instalment.seq.desc(), Allocation.id.desc())
    )
    return list(db.session.scalars(stmt))


def _reopen(plan: Plan, account: Account, actor: User | None) -> None:
    if plan.state != PlanState.COMPLETED or active_plan(account) is not None:
        return
    plan.state, plan.ended_at = PlanState.ACTIVE, None
    add_timeline_entry(account, ActivityKind.NOTE, f"{plan.kind.label} reopened by a refund", actor, plan_id=plan.id)
    changes = {"state": {"old": PlanState.COMPLETED.value, "new": PlanState.ACTIVE.value}}
    audit.record(actor, account.agency_id, f"{plan.kind.value}.reopened", "plan", plan.id, changes)
    if plan.waived_amount > ZERO:
        waive(plan, account, -plan.waived_amount, actor)
        if account.status == Status.SETTLED:
            set_status(account, Status.PAYMENT_PLAN, actor, note="settlement payment refunded", system="refund")


def state_of(instalment: Instalment) -> InstalmentState:
    """Paid in full, else missed once the sweep said so, else partly paid or scheduled."""
    if instalment.amount_paid == instalment.amount:
        return InstalmentState.PAID
    if instalment.state == InstalmentState.MISSED:
        return InstalmentState.MISSED
    return InstalmentState.PARTLY_PAID if instalment.amount_paid > 0 else InstalmentState.SCHEDULED
