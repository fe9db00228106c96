"""The agency profile, edited on the settings pages (admins only), audited.

Here rather than in ``app.agencies``: that package holds the tenant model every package uses, ``auth``
included, so it imports none of them (the profile needs ``auth``, ``audit`` and ``analytics``).
"""

from zoneinfo import available_timezones

from app.accounts.workscore import FACTOR_NAMES, MAX_WEIGHT, weights_of
from app.agencies.models import Agency
from app.analytics import rollup
from app.audit import services as audit
from app.auth.models import User
from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db

PROFILE_FIELDS = (
    "name",
    "license_number",
    "timezone",
    "currency",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)
FLAGS = ("mfa_required",)  # yes/no settings, audited with the profile
CURRENCIES = ("USD", "CAD", "EUR", "GBP", "AUD")


def update_profile(values: dict, *, actor: User) -> Agency:
    """Update the actor's agency profile and flags (MFA required); audited with field-level before/after.

    Raises PermissionDenied for non-admins and ValidationFailed for an empty name, unknown timezone or currency.
    """
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can change the agency profile.")
    clean = {k: (values.get(k) or "").strip() for k in PROFILE_FIELDS}
    _check_profile(clean)
    agency = db.session.get(Agency, actor.agency_id)
    before = {k: getattr(agency, k) for k in PROFILE_FIELDS + FLAGS}
    for key, value in clean.items():
        setattr(agency, key, value or None if key == "license_number" else value)
    for key in (k for k in FLAGS if k in values):  # a flag not given keeps its value
        setattr(agency, key, bool(values[key]))
    changes = audit.diff(before, {k: getattr(agency, k) for k in PROFILE_FIELDS + FLAGS})
    if "timezone" in changes:
        db.session.flush()
        rollup.rebuild_local_days(agency.id)  # the analytics' days follow the agency's calendar
    if changes:
        audit.record(actor, agency.id, "agency.updated", "agency", agency.id, changes)
    db.session.commit()
    return agency


def known_timezone(name: str) -> bool:
    """An IANA timezone name this system knows (the form checks it too, to show every error at once)."""
    return name in available_timezones()


def _check_profile(clean: dict) -> None:
    if not clean["name"]:
        raise ValidationFailed("The agency needs a name.", {"name": "Required."})
    if not known_timezone(clean["timezone"]):
        raise ValidationFailed("Choose a known timezone, e.g. America/New_York.", {"timezone": "Unknown timezone."})
    if clean["currency"] not in CURRENCIES:
        raise ValidationFailed("Choose a supported currency.", {"currency": "Unsupported currency."})
    clean["country"] = clean["country"].upper()[:2] or "US"


def update_work_score_weights(values: dict, *, actor: User) -> dict[str, int]:
    """Set the agency's points per unit of each work-score factor (0 to ``MAX_WEIGHT``), audited.

    Raises PermissionDenied for non-admins and ValidationFailed for a missing or out-of-range weight.
    """
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can change the work score.")
    bad = {n: f"Enter a whole number from 0 to {MAX_WEIGHT}." for n in FACTOR_NAMES if not _weight_ok(values.get(n))}
    if bad:
        raise ValidationFailed("Some weights are not valid.", bad)
    agency = db.session.get(Agency, actor.agency_id)
    before = weights_of(agency.work_score_weights)
    after = {name: int(values[name]) for name in FACTOR_NAMES}
    agency.work_score_weights = after
    changes = audit.diff({f"weight_{k}": v for k, v in before.items()}, {f"weight_{k}": v for k, v in after.items()})
    if changes:
        audit.record(actor, agency.id, "agency.work_score_updated", "agency", agency.id, changes)
    db.session.commit()
    return after


def _weight_ok(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_WEIGHT
