"""Broken promises: an instalment still unpaid after the agency's grace days is missed, and its plan broken.

Run by the scheduler (``jobs/plans.py``). Idempotent: a plan is broken once; a run finds only active plans.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts import followups
from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry, set_status
from app.accounts.states import Status
from app.agencies.models import Agency
from app.agencyday import local_today
from app.audit import services as audit
from app.extensions import db
from app.payments.services.ledger import account_currency
from app.plans import accountstate, events
from app.plans.models import OPEN_INSTALMENT_STATES, Instalment, InstalmentState, Plan, PlanState
from app.plans.services import end
from app.templating import money
from app.timeutil import utcnow

BATCH = 500


def break_overdue_plans(now: datetime | None = None) -> int:
    """Mark missed every open instalment of an active plan due more than the agency's grace days before its
    today, and break those plans; one commit per plan. Returns how many plans broke."""
    now = now or utcnow()
    broken = 0
    for agency in db.session.scalars(select(Agency).where(Agency.id.in_(_agencies_with_active_plans()))).all():
        cutoff = local_today(agency.timezone, now) - timedelta(days=agency.plan_grace_days)
        for plan_id in _overdue_plan_ids(agency.id, cutoff):
            broken += _break(plan_id, cutoff, now)
    return broken


def _agencies_with_active_plans():
    return select(Plan.agency_id).where(Plan.state == PlanState.ACTIVE).distinct()


def _overdue_plan_ids(agency_id: int, cutoff) -> list[int]:
    """Active plans with an open instalment due before ``cutoff`` (due day + grace days < today)."""
    stmt = (
        select(Instalment.plan_id)
        .join(Plan, Plan.id == Instalment.plan_id)
        .where(
            Instalment.agency_id == agency_id,
            Instalment.amount_paid < Instalment.amount,
            Instalment.due_on < cutoff,
            Plan.state == PlanState.ACTIVE,
        )
        .distinct()
        .limit(BATCH)
    )
    return list(db.session.scalars(stmt))


def _break(plan_id: int, cutoff, now: datetime) -> int:
    """Break one plan under a lock on its account (a payment racing the sweep waits, then finds it broken)."""
    plan = db.session.get(Plan, plan_id)
    account = db.session.scalars(select(Account).where(Account.id == plan.account_id).with_for_update()).one()
    db.session.refresh(plan)
    missed = [i for i in plan.instalments if i.state in OPEN_INSTALMENT_STATES and i.due_on < cutoff]
    if plan.state != PlanState.ACTIVE or not missed:
        db.session.rollback()
        return 0
    break_plan(plan, account, missed, now, "not paid within the grace days")
    db.session.commit()
    return 1


def break_plan(plan: Plan, account: Account, missed: list[Instalment], now: datetime, why: str) -> None:
    """Mark ``missed`` missed and the plan broken: timeline, audit, the move back to negotiating and the collector's
    follow-up, all as the system (no commit: the caller's transaction, with the account locked)."""
    for instalment in missed:
        instalment.state = InstalmentState.MISSED
    end(plan, PlanState.BROKEN)
    currency = account_currency(account)
    first = missed[0]
    what = f"{money(first.due, currency)} due {first.due_on.isoformat()}"
    body = f"{plan.kind.label} broken: {what} {why}"
    add_timeline_entry(account, ActivityKind.NOTE, body, None, plan_id=plan.id)
    changes = {"state": {"old": PlanState.ACTIVE.value, "new": PlanState.BROKEN.value}}
    audit.record(None, account.agency_id, f"{plan.kind.value}.broken", "plan", plan.id, changes)
    if account.status == Status.PAYMENT_PLAN:
        set_status(account, Status.NEGOTIATING, None, note=f"{plan.kind.label.lower()} broken", system="broken_plan")
    if account.assigned_collector_id is not None:
        followups.place_follow_up(account, now, f"{plan.kind.label} broken: {what}"[:200], None)
    accountstate.refresh(account)
    events.plan_broken.send(plan, account=account, missed=missed)
