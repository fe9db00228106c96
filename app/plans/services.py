"""Plan use cases: preview, agree (promise, plan, settlement) and cancel. One transaction each, audited inside it."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts import queries as account_queries
from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry, set_status
from app.accounts.states import Status, can_transition
from app.agencies.models import Agency
from app.audit import services as audit
from app.auth.models import User
from app.errors import Conflict, NotFound
from app.extensions import db
from app.payments.services.ledger import account_currency
from app.plans import accountstate
from app.plans.models import Instalment, Plan, PlanKind, PlanState
from app.plans.terms import Preview, Terms, preview
from app.templating import money
from app.timeutil import utcnow


def preview_plan(account_id: int, terms: Terms, *, actor: User) -> Preview:
    """The schedule ``terms`` would give on the account, checked as agreeing would check it; writes nothing.

    Raises NotFound for an account the actor may not see, ValidationFailed for terms the account or the creditor's
    bounds refuse.
    """
    account = account_queries.get_account(actor, account_id)
    return preview(account, terms, actor.agency.timezone)


def create_plan(account_id: int, terms: Terms, *, actor: User) -> Plan:
    """Agree a promise, plan or settlement on an account the actor may see (``agree_plan``), committed.

    Raises NotFound outside the actor's scope, Conflict while another promise or plan is active, ValidationFailed
    for terms the account or the creditor refuses.
    """
    account = account_queries.get_account(actor, account_id, for_update=True)
    plan = agree_plan(account, terms, actor)
    db.session.commit()
    return plan


def agree_plan(account: Account, terms: Terms, actor: User | None, via: str = "") -> Plan:
    """Agree ``terms`` on ``account`` (locked, and already checked to be the caller's: the staff services above, or
    the debtor portal with ``actor`` None and ``via="portal"``): the instalments, the timeline, the audit trail, and
    the move to ``payment_plan`` where the state machine allows it (from ``negotiating``). No commit.

    Raises Conflict while another promise or plan is active, ValidationFailed for terms the account or the
    creditor refuses.
    """
    if active_plan(account) is not None:
        raise Conflict("The account already has an active promise or plan; cancel it first.")
    result = preview(account, terms, db.session.get(Agency, account.agency_id).timezone)
    plan = _new_plan(account, result, actor)
    accountstate.refresh(account)
    body = describe(plan, account) + (f" ({via})" if via else "")
    add_timeline_entry(account, ActivityKind.NOTE, body, actor, plan_id=plan.id, via=via)
    audit.record(actor, account.agency_id, f"{plan.kind.value}.created", "plan", plan.id, snapshot(plan))
    if plan.kind != PlanKind.PROMISE and can_transition(account.status, Status.PAYMENT_PLAN):
        set_status(account, Status.PAYMENT_PLAN, actor, note=f"{plan.kind.label} agreed", system="plan")
    return plan


def _new_plan(account: Account, result: Preview, actor: User | None) -> Plan:
    terms = result.terms
    plan = Plan(
        agency_id=account.agency_id,
        account_id=account.id,
        kind=terms.kind,
        state=PlanState.ACTIVE,
        total=terms.total,
        frequency=None if terms.kind == PlanKind.PROMISE else terms.frequency,
        balance_at_start=account.current_balance,
        created_by_id=actor.id if actor else None,
    )
    for seq, (due_on, amount) in enumerate(result.instalments, start=1):
        plan.instalments.append(Instalment(agency_id=account.agency_id, seq=seq, due_on=due_on, amount=amount))
    db.session.add(plan)
    db.session.flush()
    return plan


def cancel_plan(plan_id: int, *, actor: User) -> Plan:
    """End an active promise or plan (payments already applied stay applied); the account goes back to
    ``negotiating`` if the plan had put it in ``payment_plan``.

    Raises NotFound outside the actor's scope, Conflict for a plan that is no longer active.
    """
    plan, account = get_plan(actor, plan_id, for_update=True)
    if plan.state != PlanState.ACTIVE:
        raise Conflict(f"This {plan.kind.label.lower()} is already {plan.state.label.lower()}.")
    end(plan, PlanState.CANCELLED)
    accountstate.refresh(account)
    add_timeline_entry(account, ActivityKind.NOTE, f"{plan.kind.label} cancelled", actor, plan_id=plan.id)
    changes = {"state": {"old": PlanState.ACTIVE.value, "new": plan.state.value}}
    audit.record(actor, account.agency_id, f"{plan.kind.value}.cancelled", "plan", plan.id, changes)
    if account.status == Status.PAYMENT_PLAN:
        set_status(account, Status.NEGOTIATING, actor, note=f"{plan.kind.label} cancelled", system="plan")
    db.session.commit()
    return plan


def end(plan: Plan, state: PlanState) -> None:
    plan.state, plan.ended_at = state, utcnow()


def get_plan(viewer: User, plan_id: int, *, for_update: bool = False) -> tuple[Plan, Account]:
    """The plan and its account if the viewer may see the account; NotFound otherwise (same as a missing id)."""
    plan = db.session.scalars(select(Plan).where(Plan.id == plan_id, Plan.agency_id == viewer.agency_id)).first()
    if plan is None:
        raise NotFound("Plan not found.")
    account = account_queries.get_account(viewer, plan.account_id, for_update=for_update)
    return plan, account


def active_plan(account: Account) -> Plan | None:
    """The account's active promise or plan, if any (one at a time)."""
    stmt = select(Plan).where(
        Plan.account_id == account.id, Plan.agency_id == account.agency_id, Plan.state == PlanState.ACTIVE
    )
    return db.session.scalars(stmt).first()


def list_plans(account_id: int, *, viewer: User) -> list[Plan]:
    """The account's promises and plans, newest first. Raises NotFound outside the viewer's scope."""
    account = account_queries.get_account(viewer, account_id)
    stmt = select(Plan).where(Plan.account_id == account.id, Plan.agency_id == account.agency_id)
    return list(db.session.scalars(stmt.options(selectinload(Plan.instalments)).order_by(Plan.id.desc())))


def describe(plan: Plan, account: Account) -> str:
    """The timeline wording of a new promise, plan or settlement."""
    currency = account_currency(account)
    first = plan.instalments[0]
    if plan.kind == PlanKind.PROMISE:
        return f"Promise to pay {money(plan.total, currency)} on {first.due_on.isoformat()}"
    text = (
        f"{plan.kind.label} agreed: {money(plan.total, currency)} in {len(plan.instalments)} "
        f"{plan.frequency.label.lower()} instalments from {first.due_on.isoformat()}"
    )
    if plan.kind == PlanKind.SETTLEMENT:
        text += f", settling a balance of {money(plan.balance_at_start, currency)}"
    return text


def snapshot(plan: Plan) -> dict:
    """The audited fields of a new plan."""
    fields = {
        "account_id": plan.account_id,
        "kind": plan.kind.value,
        "total": plan.total,
        "frequency": plan.frequency and plan.frequency.value,
        "balance_at_start": plan.balance_at_start,
        "instalments": len(plan.instalments),
        "first_due": plan.instalments[0].due_on,
    }
    return audit.diff({}, fields)


def waive(plan: Plan, account: Account, amount: Decimal, actor: User | None) -> None:
    """Forgive ``amount`` of the balance (a kept settlement; a negative amount restores it on a refund)."""
    plan.waived_amount += amount
    account.current_balance -= amount
    currency = account_currency(account)
    body = (
        f"Settled for less: {money(amount, currency)} waived"
        if amount > 0
        else f"Settlement reopened: {money(-amount, currency)} waived earlier is due again"
    )
    add_timeline_entry(account, ActivityKind.ADJUSTMENT, body, actor, plan_id=plan.id, amount=str(amount))
    changes = {"waived_amount": {"old": str(plan.waived_amount - amount), "new": str(plan.waived_amount)}}
    audit.record(actor, account.agency_id, "settlement.waived", "plan", plan.id, changes)
