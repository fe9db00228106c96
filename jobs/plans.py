"""Plan jobs (run by ``rq cron``; see jobs/cron.py)."""

from jobs.context import app_context
from jobs.reminders import dispatch_reminders


def run_plan_sweep() -> int:
    """Break the plans with an instalment unpaid past the agency's grace days; returns how many broke."""
    from app.plans.sweep import break_overdue_plans

    with app_context():
        broken = break_overdue_plans()
        dispatch_reminders()  # the broken plans' emails now, not at the next hourly reminder pass
        return broken


def run_autopay() -> dict[str, int]:
    """Charge the autopay instalments due today (and the retries due) to their saved cards."""
    from app.plans.autopay import charge_due_instalments

    with app_context():
        counts = charge_due_instalments()
        dispatch_reminders()  # the declined charges' and broken plans' emails now
        return counts
