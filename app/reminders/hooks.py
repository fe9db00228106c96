"""What the plans announce, turned into pending reminders (``app.plans.events``; connected once by the factory)."""

from app.plans import events
from app.reminders.models import ReminderKind
from app.reminders.services import record


def connect() -> None:
    events.charge_declined.connect(_charge_declined)
    events.plan_broken.connect(_plan_broken)


def _charge_declined(instalment, *, account, payment) -> None:
    details = {"amount": str(payment.amount), "retry_on": instalment.retry_on.isoformat()}
    key = f"{ReminderKind.CHARGE_DECLINED.value}:{payment.id}"
    record(account, instalment.plan, ReminderKind.CHARGE_DECLINED, key, instalment_id=instalment.id, details=details)


def _plan_broken(plan, *, account, missed) -> None:
    record(account, plan, ReminderKind.PLAN_BROKEN, f"{ReminderKind.PLAN_BROKEN.value}:{plan.id}")
