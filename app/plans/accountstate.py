"""The plan facts kept on the account (``Account.plan_due_on``, ``Account.plan_broken``) for the worklist's filters
and the work score, which read columns rather than join plans on every list."""

from sqlalchemy import func, select

from app.accounts.models import Account
from app.extensions import db
from app.plans.models import OPEN_INSTALMENT_STATES, Instalment, Plan, PlanState


def refresh(account: Account) -> None:
    """Recompute both facts from the account's (flushed) plans: the earliest open instalment of its active plan,
    and whether its latest plan is broken. No commit: the caller's transaction."""
    db.session.flush()
    due = select(func.min(Instalment.due_on)).join(Plan, Plan.id == Instalment.plan_id)
    due = due.where(
        Plan.account_id == account.id,
        Plan.agency_id == account.agency_id,
        Plan.state == PlanState.ACTIVE,
        Instalment.state.in_(OPEN_INSTALMENT_STATES),
    )
    latest = select(Plan.state).where(Plan.account_id == account.id, Plan.agency_id == account.agency_id)
    latest_state = db.session.scalar(latest.order_by(Plan.id.desc()).limit(1))
    account.plan_due_on = db.session.scalar(due)
    account.plan_broken = latest_state == PlanState.BROKEN
