"""The admin's plan settings: the agency's grace days and each creditor's settlement bounds (audited)."""

import re
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Creditor
from app.agencies.models import Agency
from app.audit import services as audit
from app.auth.models import User
from app.compliance.settings import setting
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.payments.services.ledger import parse_amount
from app.plans.models import ZERO, SettlementBounds

MAX_GRACE_DAYS = 60
MAX_REMINDER_DAYS = 14
PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?")


def set_grace_days(days: int, *, actor: User) -> Agency:
    """Set the agency's grace days (0–60). Raises PermissionDenied for collectors, ValidationFailed out of range."""
    _admin_only(actor)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_GRACE_DAYS:
        message = f"Enter 0 to {MAX_GRACE_DAYS} days."
        raise ValidationFailed(message, {"grace_days": message})
    agency = db.session.get(Agency, actor.agency_id)
    old, agency.plan_grace_days = agency.plan_grace_days, days
    audit.record(
        actor, agency.id, "agency.plan_grace_days_changed", "agency", agency.id, _change("plan_grace_days", old, days)
    )
    db.session.commit()
    return agency


def set_reminder_days(days: int, *, actor: User) -> Agency:
    """Set how many days before an instalment its reminder email goes (0–14; 0: none before the due day), kept with
    the agency's compliance settings. Raises PermissionDenied for collectors, ValidationFailed out of range."""
    _admin_only(actor)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_REMINDER_DAYS:
        message = f"Enter 0 to {MAX_REMINDER_DAYS} days."
        raise ValidationFailed(message, {"reminder_days": message})
    agency = db.session.get(Agency, actor.agency_id)
    old = setting(agency, "reminder_days_before")
    # a new dict, so the JSON column's change is seen
    agency.compliance_settings = {**(agency.compliance_settings or {}), "reminder_days_before": days}
    audit.record(
        actor,
        agency.id,
        "agency.reminder_days_changed",
        "agency",
        agency.id,
        _change("reminder_days_before", old, days),
    )
    db.session.commit()
    return agency


def set_settlement_bounds(creditor_id: int, max_discount: str, min_instalment: str, *, actor: User) -> SettlementBounds:
    """Set a creditor's maximum settlement discount (0–100 %) and minimum instalment (0 for none).

    Raises PermissionDenied for collectors, NotFound for another agency's creditor, ValidationFailed for bad values.
    """
    _admin_only(actor)
    discount, minimum = _percent(max_discount), _min_instalment(min_instalment)
    creditor = db.session.scalars(
        select(Creditor).where(Creditor.id == creditor_id, Creditor.agency_id == actor.agency_id)
    ).first()
    if creditor is None:
        raise NotFound("Creditor not found.")
    bounds = bounds_for(actor.agency_id, creditor.id) or SettlementBounds(
        agency_id=actor.agency_id, creditor_id=creditor.id
    )
    before = {"max_discount_percent": bounds.max_discount_percent, "min_instalment": bounds.min_instalment}
    bounds.max_discount_percent, bounds.min_instalment = discount, minimum
    db.session.add(bounds)
    after = {"max_discount_percent": discount, "min_instalment": minimum}
    audit.record(
        actor, actor.agency_id, "creditor.settlement_bounds_set", "creditor", creditor.id, audit.diff(before, after)
    )
    db.session.commit()
    return bounds


def bounds_for(agency_id: int, creditor_id: int) -> SettlementBounds | None:
    stmt = select(SettlementBounds).where(
        SettlementBounds.agency_id == agency_id, SettlementBounds.creditor_id == creditor_id
    )
    return db.session.scalars(stmt).first()


def list_creditor_bounds(viewer: User) -> list[tuple[Creditor, SettlementBounds | None]]:
    """Every creditor of the viewer's agency by name, with its bounds (None where none are set)."""
    stmt = (
        select(Creditor, SettlementBounds)
        .outerjoin(
            SettlementBounds,
            (SettlementBounds.creditor_id == Creditor.id) & (SettlementBounds.agency_id == Creditor.agency_id),
        )
        .where(Creditor.agency_id == viewer.agency_id)
        .order_by(Creditor.name)
    )
    return [tuple(row) for row in db.session.execute(stmt)]


def _percent(raw) -> Decimal:
    text = str(raw if raw is not None else "").strip()
    if not PERCENT.fullmatch(text) or Decimal(text) > 100:
        message = "Enter a percentage from 0 to 100, e.g. 30 or 12.5."
        raise ValidationFailed(message, {"max_discount_percent": message})
    return Decimal(text).quantize(Decimal("0.01"))


def _min_instalment(raw) -> Decimal:
    text = str(raw if raw is not None else "").strip()
    return ZERO if text in ("0", "0.0", "0.00") else parse_amount(text, "min_instalment")


def _admin_only(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an agency admin can change plan settings.")


def _change(name: str, old, new) -> dict:
    return {name: {"old": old, "new": new}}
