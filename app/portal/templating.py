"""What every portal template gets: ``_()`` in the debtor's language, the agency and its branding, the visit."""

from datetime import datetime

from flask import g, request, url_for

from app.accounts.states import Status
from app.agencyday import local_time
from app.portal.i18n import LANGUAGES, current_language, translate
from app.portal.settings import portal_settings, text_color

DEBTOR_STATUS = {
    Status.PAYMENT_PLAN: "payment plan",
    Status.SETTLED: "settled",
    Status.CLOSED: "closed",
    Status.DISPUTED: "disputed",
}
PLAN_KINDS = {"promise": "Promise to pay", "plan": "Payment plan", "settlement": "Settlement offer"}
DEFAULT_BRAND = "#1a4f8b"  # the portal's own blue and green, both 4.5:1 or better against white text
DEFAULT_ACCENT = "#1d6b3a"


def gettext(text: str, **params) -> str:
    return translate(text, current_language(), **params)


def portal_context() -> dict:
    agency = g.get("portal_agency")
    return dict(
        _=gettext,
        lang=current_language(),
        languages=LANGUAGES,
        switch_url=_switch_url,
        agency=agency,
        brand=_brand(agency),
        visit=g.get("portal_visit"),
        local_dt=lambda value: _local_dt(value, agency),
        debtor_status=debtor_status,
        plan_kinds=PLAN_KINDS,
        code_words=lambda value: value.replace("_", " "),
    )


def debtor_status(status: Status) -> str:
    """The account's state as the debtor needs it (the collectors' working states are all "open")."""
    return DEBTOR_STATUS.get(status, "open")


# Where the language switch of a page leads when the page itself is not one to GET again: a form's answer goes
# to the form's page, a sign-in link to the accounts (never repeating its token).
SWITCH_TO = {
    "portal.pay": "portal.account",
    "portal.plan": "portal.account",
    "portal.from_link": "portal.accounts",
    "portal.sign_out": "portal.sign_in",
    "portal.autopay_on": "portal.autopay_page",
    "portal.card_setup": "portal.autopay_page",
    "portal.card_setup_done": "portal.autopay_page",
}


def _switch_url(language: str) -> str:
    """This page in ``language``."""
    if g.get("portal_agency") is None:
        return url_for("portal.index", lang=language)
    endpoint = SWITCH_TO.get(request.endpoint, request.endpoint or "portal.sign_in")
    args = {k: v for k, v in (request.view_args or {}).items() if k != "token"}
    return url_for(endpoint, **args, lang=language)


def _brand(agency) -> dict:
    """The agency's colours (validated ``#rrggbb`` at save) with a readable text colour for each, and its logo."""
    settings = portal_settings(agency.id) if agency else None
    brand = (settings and settings.brand_color) or DEFAULT_BRAND
    accent = (settings and settings.accent_color) or DEFAULT_ACCENT
    return dict(
        color=brand,
        on_color=text_color(brand),
        accent=accent,
        on_accent=text_color(accent),
        logo=bool(settings and settings.logo),
    )


def _local_dt(value: datetime | None, agency) -> str:
    if value is None:
        return "—"
    return local_time(value, agency.timezone if agency else "UTC").strftime("%Y-%m-%d %H:%M")
