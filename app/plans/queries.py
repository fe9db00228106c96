"""Read-only plan figures for the analytics dashboard, scoped to the viewer's agency; money as Decimal."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.agencyday import local_today
from app.auth.models import User
from app.extensions import db
from app.plans.models import ZERO, Instalment, Plan, PlanKind, PlanState

HORIZON_DAYS = 30


@dataclass
class PlanFigures:
    by_state: dict[PlanState, int] = field(default_factory=dict)  # promises, plans and settlements together
    promises_kept: int = 0
    promises_broken: int = 0
    scheduled_next_30: Decimal = ZERO  # still due on active plans' instalments, today and the 29 days after
    waived: Decimal = ZERO  # forgiven by kept settlements
    today: date | None = None

    @property
    def kept_promise_rate(self) -> Decimal | None:
        """Kept ÷ (kept + broken) promises, as a fraction; None before any promise was kept or broken."""
        decided = self.promises_kept + self.promises_broken
        return (Decimal(self.promises_kept) / decided).quantize(Decimal("0.0001")) if decided else None


def get_plan_figures(viewer: User, today: date | None = None) -> PlanFigures:
    """Plans by state, the kept-promise rate, the amount scheduled for the next 30 days and the amount waived."""
    figures = PlanFigures(today=today or local_today(viewer.agency.timezone))
    stmt = select(Plan.kind, Plan.state, func.count(), func.sum(Plan.waived_amount))
    for kind, state, count, waived in db.session.execute(
        stmt.where(Plan.agency_id == viewer.agency_id).group_by(Plan.kind, Plan.state)
    ):
        state = PlanState(state)
        figures.by_state[state] = figures.by_state.get(state, 0) + count
        figures.waived += Decimal(waived or 0)
        if PlanKind(kind) == PlanKind.PROMISE:
            figures.promises_kept += count if state == PlanState.COMPLETED else 0
            figures.promises_broken += count if state == PlanState.BROKEN else 0
    figures.scheduled_next_30 = _scheduled(viewer.agency_id, figures.today)
    return figures


def _scheduled(agency_id: int, today: date) -> Decimal:
    stmt = (
        select(func.sum(Instalment.amount - Instalment.amount_paid))
        .join(Plan, Plan.id == Instalment.plan_id)
        .where(
            Instalment.agency_id == agency_id,
            Instalment.amount_paid < Instalment.amount,
            Instalment.due_on >= today,
            Instalment.due_on < today + timedelta(days=HORIZON_DAYS),
            Plan.state == PlanState.ACTIVE,
        )
    )
    return Decimal(db.session.scalar(stmt) or 0).quantize(ZERO)
