"""The portal's two languages: English (the keys) and Spanish, from a small catalogue kept in code.

Every string the portal shows goes through :func:`translate` (``_()`` in its templates); a test holds that
each one used in the templates and in the portal's messages has its Spanish (:mod:`app.portal.spanish`). A key
missing from the catalogue shows in English rather than failing.
"""

from flask import request, session

from app.portal.spanish import SPANISH, SPANISH_PATTERNS

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
SESSION_KEY = "portal_lang"


def current_language() -> str:
    """The debtor's language: ``?lang=`` when given (and remembered), else the one remembered, else English."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session[SESSION_KEY] = asked
    chosen = session.get(SESSION_KEY)
    return chosen if chosen in LANGUAGES else DEFAULT


def translate(text: str, language: str, **params) -> str:
    """``text`` in ``language``, with ``%(name)s`` placeholders filled from ``params``."""
    if language != "es":
        return text % params if params else text
    if text in SPANISH:
        return SPANISH[text] % params if params else SPANISH[text]
    return next((spanish % m.groupdict() for p, spanish in SPANISH_PATTERNS if (m := p.fullmatch(text))), text)
