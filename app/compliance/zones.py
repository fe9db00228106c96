"""Where the consumer may be: the time zones their address (state, ZIP code) and a phone's area code point to.

Libraries hold the data: ``zipcodes`` (ZIP code -> zone), ``us`` (state -> the zones it spans), ``phonenumbers``
(area code -> zones). When they disagree the guard must respect every candidate (1006.6(b)(1)(i): a conservative
system allows only hours convenient in all of them), so this module returns a set and never picks one.
"""

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
import us
import zipcodes
from phonenumbers import timezone as phone_zones

# Without any location the consumer may be anywhere in the United States: Eastern to Hawaii.
EVERY_US_ZONE = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)
# The zone names this Python knows (the libraries' data may name one it does not)
_KNOWN = available_timezones()


def state_code(state: str | None) -> str | None:
    """The two-letter code of a state given as a code or a name ("MA", "Massachusetts"); None when unknown."""
    found = us.states.lookup(state.strip()) if state and state.strip() else None
    return found.abbr if found else None


@lru_cache(maxsize=128)
def zones_of_state(state: str | None) -> tuple[str, ...]:
    found = us.states.lookup(state.strip()) if state and state.strip() else None
    return tuple(sorted({z for z in (found.time_zones if found else ()) if z in _KNOWN and "/" in z}))


@lru_cache(maxsize=4096)
def zone_of_zip(postal_code: str | None) -> str | None:
    """The zone of a US ZIP code (five digits, or ZIP+4), None for an unknown or malformed one."""
    digits = (postal_code or "").strip()[:5]
    if len(digits) != 5 or not digits.isdigit():
        return None
    try:
        found = zipcodes.matching(digits)
    except (ValueError, TypeError):
        return None
    zone = found[0].get("timezone") if found else None
    return zone if zone in _KNOWN else None


@lru_cache(maxsize=4096)
def zones_of_phone(phone: str | None) -> tuple[str, ...]:
    """The zones a phone number's area code covers (a US number without +1 is read as one); () when unknown."""
    if not phone or not phone.strip():
        return ()
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for z in phone_zones.time_zones_for_number(number) if z in _KNOWN)


def address_zones(state: str | None, postal_code: str | None) -> tuple[str, ...]:
    """The ZIP code's zone when it has one (it pins a state that spans several), else the state's zones."""
    zone = zone_of_zip(postal_code)
    return (zone,) if zone else zones_of_state(state)


def candidate_zones(state: str | None, postal_code: str | None, phones=()) -> tuple[ZoneInfo, ...]:
    """Every zone the consumer may be in: the address's and each phone's, or every US zone without either.

    The first is the address's own (the one to show the debtor's time in)."""
    names = list(address_zones(state, postal_code))
    for phone in phones:
        names += [z for z in zones_of_phone(phone) if z not in names]
    return tuple(ZoneInfo(name) for name in (names or EVERY_US_ZONE))
