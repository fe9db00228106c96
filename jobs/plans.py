"""Plan jobs (run by ``rq cron``; see jobs/cron.py)."""

from jobs.context import app_context


def run_plan_sweep() -> int:
    """Break the plans with an instalment unpaid past the agency's grace days; returns how many broke."""
    from app.plans.sweep import break_overdue_plans

    with app_context():
        return break_overdue_plans()


def run_autopay() -> dict[str, int]:
    """Charge the autopay instalments due today (and the retries due) to their saved cards."""
    from app.plans.autopay import charge_due_instalments

    with app_context():
        return charge_due_instalments()
