"""The agency's dispute policy: whether late, oral and duplicative disputes put collection on hold, and the
verification deadline (days). Stored in ``Agency.compliance_settings`` beside the other compliance settings."""

from app.agencies.models import Agency
from app.audit import services as audit
from app.auth.models import User
from app.compliance.settings import settings_of
from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db

POLICY_FLAGS = ("hold_late_disputes", "hold_oral_disputes", "hold_duplicative_disputes")
POLICY_KEYS = (*POLICY_FLAGS, "verification_days")
MAX_VERIFICATION_DAYS = 365


def update_dispute_policy(values: dict, *, actor: User) -> dict:
    """Set the dispute policy (admins only), audited with each changed key; the other settings are kept.

    Raises PermissionDenied for non-admins and ValidationFailed for a flag that is not a boolean or a deadline
    outside 1..365 days.
    """
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can change the dispute policy.")
    _check(values)
    agency = db.session.get(Agency, actor.agency_id)
    before = settings_of(agency)
    after = {key: values[key] for key in POLICY_KEYS}
    agency.compliance_settings = {**(agency.compliance_settings or {}), **after}  # a new dict: JSON change seen
    changes = audit.diff({k: before[k] for k in POLICY_KEYS}, after)
    if changes:
        audit.record(actor, agency.id, "agency.dispute_policy_updated", "agency", agency.id, changes)
    db.session.commit()
    return after


def _check(values: dict) -> None:
    errors = {key: "Choose yes or no." for key in POLICY_FLAGS if not isinstance(values.get(key), bool)}
    days = values.get("verification_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_VERIFICATION_DAYS:
        errors["verification_days"] = f"Enter a whole number of days from 1 to {MAX_VERIFICATION_DAYS}."
    if errors:
        raise ValidationFailed("Some settings are not valid.", errors)
