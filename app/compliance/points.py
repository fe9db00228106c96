"""A debtor's phones and emails (``ContactPoint``) and their wishes (inconvenient times, no calls at work).

The phone and email the import carried are listed too, with source "import": as unsaved rows until someone changes
one (marks it do-not-use, opts it out, sets its type), when the row is stored. Nothing is written on reading the
account page, and a re-import that changes the debtor's phone simply shows the new one.

The preference services take ``actor=None`` with ``via="portal"`` for the debtor's own changes.
"""

from dataclasses import dataclass
from datetime import time

import phonenumbers
from marshmallow import ValidationError, validate
from sqlalchemy import delete, select

from app.audit import services as audit
from app.auth.models import User
from app.compliance.models import ContactPoint, InconvenientTime, PointKind
from app.debtors.models import Debtor
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

CHANNELS = ("phone", "email")
MAX_REASON = 200
MAX_SPANS = 50  # inconvenient times per debtor


def normal_phone(raw: str | None, field: str = "phone") -> str | None:
    """A phone as E.164 (``+16175550100``; a number without a country code is read as a US one), None for none.

    Raises ValidationFailed for text that is no possible phone number."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text[:40], "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        message = "Enter a phone number, e.g. +1 617 555 0100."
        raise ValidationFailed(message, {field: message})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normal_email(raw: str | None, field: str = "email") -> str | None:
    """An email address lower-cased, None for none; ValidationFailed for one that is not an address."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return validate.Email()(text[:254]).lower()  # the import's check, so every imported address is one
    except ValidationError:
        message = "Enter an email address."
        raise ValidationFailed(message, {field: message}) from None


def normal_value(channel: str, raw: str | None) -> str | None:
    return normal_phone(raw, "value") if channel == "phone" else normal_email(raw, "value")


def imported_values(debtor: Debtor) -> list[tuple[str, str]]:
    """The (channel, value) pairs of the debtor's imported phone and email that parse; unparseable ones are left
    out (the debtor card still shows them as imported)."""
    pairs = []
    for channel, raw in (("phone", debtor.phone), ("email", debtor.email)):
        try:
            value = normal_value(channel, raw)
        except ValidationFailed:
            value = None
        if value:
            pairs.append((channel, value))
    return pairs


def list_points(debtor: Debtor) -> list[ContactPoint]:
    """The debtor's phones then emails: the stored ones and the imported ones not stored yet (unsaved rows)."""
    stored = list(
        db.session.scalars(
            select(ContactPoint)
            .where(ContactPoint.agency_id == debtor.agency_id, ContactPoint.debtor_id == debtor.id)
            .order_by(ContactPoint.channel.desc(), ContactPoint.id)
        )
    )
    known = {(p.channel, p.value) for p in stored}
    extra = [_unsaved(debtor, c, v) for c, v in imported_values(debtor) if (c, v) not in known]
    return sorted(stored + extra, key=lambda p: (p.channel != "phone", p.id or 0))


def find_point(debtor: Debtor, channel: str, value: str | None) -> ContactPoint | None:
    """The debtor's stored point with this (normalised) value, None when it is not stored."""
    if not value:
        return None
    stmt = select(ContactPoint).where(
        ContactPoint.agency_id == debtor.agency_id,
        ContactPoint.debtor_id == debtor.id,
        ContactPoint.channel == channel,
        ContactPoint.value == value,
    )
    return db.session.scalars(stmt).first()


def _unsaved(debtor: Debtor, channel: str, value: str, source: str = "import") -> ContactPoint:
    return ContactPoint(
        agency_id=debtor.agency_id, debtor_id=debtor.id, channel=channel, value=value, kind=PointKind.OTHER,
        source=source, consent=False, do_not_use=False,
    )  # fmt: skip


@dataclass
class PointChange:
    """What an edit sets on a point (None: leave as it is)."""

    kind: PointKind | None = None
    consent: bool | None = None
    do_not_use: bool | None = None
    do_not_use_reason: str | None = None
    opted_out: bool | None = None


def save_point(
    debtor: Debtor, channel: str, raw_value: str, change: PointChange, *, actor: User | None, via: str = "collector"
) -> ContactPoint:
    """Add a phone or email to the debtor's list, or change it (the imported ones are stored on their first
    change), audited in the caller's transaction and committed.

    Raises ValidationFailed for an unknown channel, a value that is no phone or address, a reason too long or a
    do-not-use without a reason."""
    if channel not in CHANNELS:
        raise ValidationFailed("Choose phone or email.", {"channel": "Choose phone or email."})
    value = normal_value(channel, raw_value)
    if not value:
        raise ValidationFailed("Enter the number or address.", {"value": "Required."})
    point = find_point(debtor, channel, value)
    imported = (channel, value) in imported_values(debtor)
    if point is None:
        point = _unsaved(debtor, channel, value, "import" if imported else via)
        db.session.add(point)
    before = _state(point)
    _apply(point, change)
    db.session.flush()
    action = "contact_point.changed" if before["id"] else "contact_point.added"
    audit.record(actor, debtor.agency_id, action, "debtor", debtor.id, _changes(before, _state(point), via))
    db.session.commit()
    return point


def _apply(point: ContactPoint, change: PointChange) -> None:
    if change.kind is not None:
        point.kind = change.kind
    if change.consent is not None:
        point.consent = change.consent
    if change.opted_out is not None:
        point.opted_out_at = (point.opted_out_at or utcnow()) if change.opted_out else None
    if change.do_not_use is not None:
        reason = (change.do_not_use_reason or "").strip()
        if change.do_not_use and not reason:
            message = "Say why the number or address must not be used."
            raise ValidationFailed(message, {"do_not_use_reason": message})
        if len(reason) > MAX_REASON:
            message = f"Keep the reason under {MAX_REASON} characters."
            raise ValidationFailed(message, {"do_not_use_reason": message})
        point.do_not_use, point.do_not_use_reason = change.do_not_use, (reason or None) if change.do_not_use else None


def _state(point: ContactPoint) -> dict:
    return {
        "id": point.id,
        "value": point.value,
        "kind": point.kind.value if point.kind else None,
        "consent": point.consent,
        "opted_out_at": point.opted_out_at.isoformat() if point.opted_out_at else None,
        "do_not_use": point.do_not_use,
        "do_not_use_reason": point.do_not_use_reason,
    }


def _changes(before: dict, after: dict, via: str) -> dict:
    changes = {k: {"old": before[k], "new": after[k]} for k in after if k != "id" and before[k] != after[k]}
    return changes | {"contact_point_id": after["id"], "channel_value": after["value"], "via": via}


def get_point(debtor: Debtor, point_id: int) -> ContactPoint:
    """The debtor's stored point; NotFound for another debtor's."""
    point = db.session.get(ContactPoint, point_id)
    if point is None or point.debtor_id != debtor.id or point.agency_id != debtor.agency_id:
        raise NotFound("Phone or email not found.")
    return point


def list_inconvenient_times(debtor: Debtor) -> list[InconvenientTime]:
    stmt = select(InconvenientTime).where(
        InconvenientTime.agency_id == debtor.agency_id, InconvenientTime.debtor_id == debtor.id
    )
    return list(db.session.scalars(stmt.order_by(InconvenientTime.weekday, InconvenientTime.starts)))


def set_preferences(
    debtor: Debtor,
    spans: list[tuple[int, time, time]],
    no_calls_at_work: bool,
    *,
    actor: User | None = None,
    via: str = "collector",
) -> Debtor:
    """Replace the debtor's inconvenient weekly times (weekday 0 = Monday, local start and end) and set "no calls
    at work"; audited and committed. ``actor=None`` with ``via="portal"`` for the debtor's own change.

    Raises ValidationFailed for a weekday outside 0–6, a span that does not end after it starts, or too many."""
    spans = sorted(set(_check_span(*span) for span in spans))
    if len(spans) > MAX_SPANS:
        raise ValidationFailed(f"Give at most {MAX_SPANS} inconvenient times.", {"spans": "Too many."})
    before = {"spans": _span_words(list_inconvenient_times(debtor)), "no_calls_at_work": debtor.no_calls_at_work}
    db.session.execute(
        delete(InconvenientTime).where(
            InconvenientTime.agency_id == debtor.agency_id, InconvenientTime.debtor_id == debtor.id
        )
    )
    db.session.add_all(
        InconvenientTime(agency_id=debtor.agency_id, debtor_id=debtor.id, weekday=d, starts=s, ends=e)
        for d, s, e in spans
    )
    debtor.no_calls_at_work = bool(no_calls_at_work)
    db.session.flush()
    after = {"spans": _span_words(list_inconvenient_times(debtor)), "no_calls_at_work": debtor.no_calls_at_work}
    changes = audit.diff(before, after) | {"via": via}
    audit.record(actor, debtor.agency_id, "debtor.preferences_changed", "debtor", debtor.id, changes)
    db.session.commit()
    return debtor


def _check_span(weekday: int, starts: time, ends: time) -> tuple[int, time, time]:
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValidationFailed("Choose a day of the week.", {"weekday": "Choose a day."})
    if not isinstance(starts, time) or not isinstance(ends, time) or not starts < ends:
        raise ValidationFailed("An inconvenient time must end after it starts.", {"ends": "End after the start."})
    return weekday, starts.replace(tzinfo=None), ends.replace(tzinfo=None)


def _span_words(rows: list[InconvenientTime]) -> list[str]:
    return [f"{WEEKDAYS[r.weekday]} {r.starts:%H:%M}–{r.ends:%H:%M}" for r in rows]


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
