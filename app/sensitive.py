"""Card numbers and full SSNs never enter the database: the one rule for every free-text value.

PCI DSS puts any system that stores a card number in its scope, and a full SSN belongs only in the encrypted
SSN field. A collector pasting a card into a note, a creditor's file carrying one in its address column, or a
payment reference holding an SSN would each bring one in; forms (through the services), imports and the API
ask :func:`finding` about every free-text value they are given.

- A card number: 13 to 19 ASCII digits passing the Luhn check, written plainly or grouped with single spaces
  or dashes ("4111 1111 1111 1111", "4111-1111-1111-1111"); a run of groups longer than that is searched for
  a sequence of whole groups that is one.
- A full SSN: three, two and four digits separated by dashes or spaces ("123-45-6789", "123 45 6789") that
  the SSA could issue (area not 000, 666 or 9xx; group not 00; serial not 0000). A bare run of nine digits is
  not taken for one: check numbers, routing numbers and ZIP+4 codes are written that way in references and
  addresses (docs/decisions.md).
"""

import re

from app.errors import ValidationFailed

# Cheap first look: no value without nine digits in a row (separators allowed) can hold either.
SUSPECT = re.compile(r"[0-9](?:[ -]?[0-9]){8}")
DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[ -][0-9]+)*(?![0-9])")
SSN = re.compile(r"(?<![0-9])(?!000|666|9)[0-9]{3}([ -])(?!00)[0-9]{2}\1(?!0000)[0-9]{4}(?![0-9])")
CARD_MESSAGE = "looks like a payment card number: card numbers must not be stored here"
SSN_MESSAGE = "looks like a full Social Security number: only the last 4 digits go in the SSN field"


def luhn_ok(digits: str) -> bool:
    """Whether the digit string passes the Luhn check that every payment card number passes."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


def _run_has_card(run: str) -> bool:
    groups = re.split(r"[ -]", run)
    if len(groups) == 1:
        return _is_card(run)
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) > 19:
                break
            if _is_card(digits):
                return True
    return False


def finding(text: str | None) -> str | None:
    """Why ``text`` must not be stored (it holds a card number or a full SSN), or ``None`` when it may."""
    if not text or SUSPECT.search(text) is None:
        return None
    if any(_run_has_card(match.group()) for match in DIGIT_RUN.finditer(text)):
        return CARD_MESSAGE
    if SSN.search(text):
        return SSN_MESSAGE
    return None


def refuse_sensitive(text: str | None, field: str, label: str) -> None:
    """ValidationFailed (422) on ``field`` when ``text`` holds a card number or a full SSN."""
    reason = finding(text)
    if reason is not None:
        message = f"The {label} {reason}."
        raise ValidationFailed(message, {field: message})
