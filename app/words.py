"""Stored codes shown as words: ``credit_card`` → "Credit card", ``account.status_changed`` → "Account status
changed". The one mapping every page uses, through the enums' ``label`` and the ``words`` Jinja filter.

Codes are written in snake case (and audit actions with a dot); the exceptions are the words a reader expects
in another form than the code's (``EXCEPTIONS``) and the abbreviations written in capitals (``ACRONYMS``).
"""

import enum

EXCEPTIONS = {"half_open": "Half-open", "local": "Local folder"}
ACRONYMS = frozenset({"api", "csv", "ip", "mfa", "sftp", "ssn", "url"})
EMPTY = "—"


def words(code) -> str:
    """The code (a string or an enum member) as a capitalised phrase; "—" for a missing one."""
    if isinstance(code, enum.Enum):
        code = code.value
    if code is None or str(code) == "":
        return EMPTY
    text = str(code)
    if text in EXCEPTIONS:
        return EXCEPTIONS[text]
    phrase = " ".join(part.upper() if part in ACRONYMS else part for part in text.replace(".", "_").split("_") if part)
    return phrase[:1].upper() + phrase[1:]
