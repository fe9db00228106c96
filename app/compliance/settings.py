"""The agency's own compliance settings, stored on ``Agency.compliance_settings``; a key not stored has its default.

The federal and state limits are law and not settings; these are the agency's own, stricter-or-equal limits and
its policy for disputes the rule lets it treat differently.
"""

DEFAULTS: dict[str, int | bool] = {
    # The agency's own call limits per account (never looser than Regulation F's 7 in 7 days)
    "call_attempts_max": 7,
    "call_attempts_window_days": 7,
    # Dispute policy: what a dispute the rule does not require a hold for does (hold by default)
    "hold_late_disputes": True,  # received after the validation period
    "hold_oral_disputes": True,
    "hold_duplicative_disputes": True,
    "verification_days": 30,  # the SLA: verification sent within this many days of receipt
    "notice_days_after_contact": 5,  # validation notice due within this many days of the first conversation
    "reminder_days_before": 3,  # a plan's instalment is reminded by email this many days before it is due
}


def setting(agency, key: str) -> int | bool:
    """The agency's value of ``key`` (a DEFAULTS key), or its default."""
    return (agency.compliance_settings or {}).get(key, DEFAULTS[key])


def settings_of(agency) -> dict[str, int | bool]:
    """Every setting, stored or default."""
    return DEFAULTS | {k: v for k, v in (agency.compliance_settings or {}).items() if k in DEFAULTS}
