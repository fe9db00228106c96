"""The audit log as people read it: names instead of user ids, account references instead of account ids,
actions and fields in words. The stored events stay as written (they are hash-chained); this only reads.

Packages above audit (accounts, payments) name their own entities: each adds a labeller with
:func:`add_entity_labels` (``labeller(agency_id, ids) -> {id: label}``) and a finder for the account reference
filter with :func:`add_ref_finder` (``finder(agency_id, ref) -> [(entity_type, entity_id), ...]``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db

LABELS, FINDERS = "audit_entity_labels", "audit_ref_finders"  # app.extensions keys
PEOPLE_FIELDS = {"assigned_collector_id", "collector_id", "actor_id", "user_id"}  # values are user ids
FIELD_WORDS = {"assigned_collector_id": "collector", "collector_id": "collector", "note": "note text"}
EMPTY = "∅"


@dataclass
class ReadableEvent:
    event: AuditEvent
    action: str
    entity: str
    changes: list[tuple[str, str]] = field(default_factory=list)


def add_entity_labels(app: Flask, entity_type: str, labeller: Callable[[int, set[str]], dict[str, str]]) -> None:
    app.extensions.setdefault(LABELS, {})[entity_type] = labeller


def add_ref_finder(app: Flask, finder: Callable[[int, str], list[tuple[str, str]]]) -> None:
    app.extensions.setdefault(FINDERS, []).append(finder)


def entities_of_ref(agency_id: int, ref: str) -> list[tuple[str, str]]:
    """The (entity type, id) pairs an account reference stands for: the account and what belongs to it."""
    return [pair for finder in current_app.extensions.get(FINDERS, ()) for pair in finder(agency_id, ref)]


def readable(events: Iterable[AuditEvent], agency_id: int) -> list[ReadableEvent]:
    """The events with their entities and people named (one query per entity type on the page)."""
    events = list(events)
    labels = _entity_labels(events, agency_id)
    people = _people(events, agency_id)
    return [
        ReadableEvent(
            event=e,
            action=e.action.replace(".", " · ").replace("_", " "),
            entity=labels.get((e.entity_type, e.entity_id)) or f"{e.entity_type.replace('_', ' ')} {e.entity_id or ''}",
            changes=[_change(name, value, people) for name, value in (e.changes or {}).items()],
        )
        for e in events
    ]


def _entity_labels(events: list[AuditEvent], agency_id: int) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = {}
    for e in events:
        if e.entity_id is not None:
            wanted.setdefault(e.entity_type, set()).add(e.entity_id)
    labellers = {"user": _user_labels, **current_app.extensions.get(LABELS, {})}
    found = {}
    for entity_type, ids in wanted.items():
        if entity_type in labellers:
            found |= {(entity_type, i): label for i, label in labellers[entity_type](agency_id, ids).items()}
    return found


def _user_labels(agency_id: int, ids: set[str]) -> dict[str, str]:
    numbers = [int(i) for i in ids if i.isdigit()]
    stmt = select(User.id, User.full_name).where(User.agency_id == agency_id, User.id.in_(numbers))
    return {str(uid): f"user {name}" for uid, name in db.session.execute(stmt)}


def _people(events: list[AuditEvent], agency_id: int) -> dict[str, str]:
    """Names of the users that the events' changes refer to by id."""
    ids = set()
    for e in events:
        for name, value in (e.changes or {}).items():
            if name in PEOPLE_FIELDS and isinstance(value, dict):
                ids |= {str(v) for v in (value.get("old"), value.get("new")) if v is not None}
    return {uid: label.removeprefix("user ") for uid, label in _user_labels(agency_id, ids).items()}


def _change(name: str, value, people: dict[str, str]) -> tuple[str, str]:
    word = FIELD_WORDS.get(name, name.replace("_", " "))
    if isinstance(value, dict) and ("old" in value or "new" in value):
        old, new = (_shown(name, value.get(k), people) for k in ("old", "new"))
        return word, new if "old" not in value else f"{old} → {new}"
    return word, _shown(name, value, people)


def _shown(name: str, value, people: dict[str, str]) -> str:
    if value is None:
        return EMPTY
    if name in PEOPLE_FIELDS:
        return people.get(str(value), f"user {value}")
    return str(value)
