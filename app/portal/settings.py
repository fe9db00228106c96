"""An agency's portal settings (smallest payment, colours, logo): read with defaults, changed by an admin, audited."""

import re
from decimal import Decimal

from app.audit import services as audit
from app.auth.models import User
from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from app.payments.services import ledger
from app.portal.models import MIN_PAYMENT_DEFAULT, PortalSettings

HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
COLOUR_MESSAGE = "Write the colour as #rrggbb, e.g. #1a5fb4."
MAX_MIN_PAYMENT = Decimal("10000.00")
MAX_LOGO_BYTES = 200 * 1024
# Raster formats only, by their first bytes: an SVG may carry script, and the browser is told the stored type.
LOGO_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def portal_settings(agency_id: int) -> PortalSettings:
    """The agency's settings; an unsaved row with the defaults when the admin never changed them."""
    return db.session.get(PortalSettings, agency_id) or PortalSettings(
        agency_id=agency_id, min_payment=MIN_PAYMENT_DEFAULT
    )


def update_portal_settings(values: dict, logo: bytes | None, *, actor: User) -> PortalSettings:
    """Save the smallest payment, the colours and (when given) a new logo; ``remove_logo`` drops the logo.

    Raises PermissionDenied for non-admins and ValidationFailed for a bad amount, colour or image.
    """
    if not actor.is_admin:
        raise PermissionDenied()
    clean = _check(values)
    settings = portal_settings(actor.agency_id)
    before = {k: getattr(settings, k) for k in clean} | {"logo_type": settings.logo_type}
    for name, value in clean.items():
        setattr(settings, name, value)
    if logo:
        settings.logo, settings.logo_type = logo, logo_type(logo)
    elif values.get("remove_logo"):
        settings.logo, settings.logo_type = None, None
    db.session.add(settings)
    after = {k: getattr(settings, k) for k in clean} | {"logo_type": settings.logo_type}
    changes = audit.diff(before, after)
    audit.record(actor, actor.agency_id, "portal.settings_updated", "agency", actor.agency_id, changes)
    db.session.commit()
    return settings


def _check(values: dict) -> dict:
    minimum = ledger.parse_amount(values.get("min_payment"), "min_payment")
    if minimum > MAX_MIN_PAYMENT:
        raise ValidationFailed("The smallest payment is too large.", {"min_payment": "At most 10,000.00."})
    clean = {"min_payment": minimum}
    for name in ("brand_color", "accent_color"):
        clean[name] = check_color(values.get(name), name)
    return clean


def check_color(value: str | None, field: str) -> str | None:
    """A colour as ``#rrggbb`` (lower case), or None for the default; ValidationFailed otherwise."""
    text = (value or "").strip()
    if not text:
        return None
    if not HEX_COLOR.fullmatch(text):
        raise ValidationFailed("Colours are written #rrggbb.", {field: COLOUR_MESSAGE})
    return text.lower()


def logo_type(data: bytes) -> str:
    """The logo's image type from its first bytes; ValidationFailed for anything but a small PNG or JPEG."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed("The logo is too large.", {"logo": "Upload an image of at most 200 KB."})
    for signature, kind in LOGO_SIGNATURES.items():
        if data.startswith(signature):
            return kind
    raise ValidationFailed("The logo must be a PNG or JPEG image.", {"logo": "Upload a PNG or JPEG image."})


def text_color(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance): one of the two
    always reaches 4.5:1, so any colour an admin picks keeps the portal's text readable."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"
