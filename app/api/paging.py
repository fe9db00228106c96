"""List responses: ``{"next": url|null, "previous": url|null, "results": [...]}`` with opaque cursors.

A cursor is base64url JSON the client hands back unchanged. Lists ordered by id walk the id index from the
cursor's id (keyset); ``page_size`` is 1 to ``MAX_PAGE_SIZE``.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import Select

from app.errors import DomainError
from app.extensions import db

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class BadCursor(DomainError):
    status, code = 400, "bad_cursor"

    def __init__(self):
        super().__init__("The cursor is not valid: use the next or previous link as given.", {"cursor": "Invalid."})


class PageArgs(Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    page_size = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The documented shape of a list of ``item``."""
    return Schema.from_dict(
        {
            "next": fields.String(allow_none=True, required=True),
            "previous": fields.String(allow_none=True, required=True),
            "results": fields.List(fields.Nested(item), required=True),
        },
        name=name,
    )


def encode(position: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None) -> dict:
    """The position a cursor names ({} for none); BadCursor for anything this module did not write."""
    if not cursor:
        return {}
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor() from None
    if not isinstance(position, dict):
        raise BadCursor()
    return position


def link(position: dict | None) -> str | None:
    """This request's URL with its cursor at ``position`` (None: no such page)."""
    if position is None:
        return None
    args = {**request.view_args, **request.args.to_dict(), "cursor": encode(position)}
    return url_for(request.endpoint, _external=True, **args)


@dataclass
class ListPage:
    results: list
    next: str | None
    previous: str | None


def position_int(position: dict, key: str) -> int | None:
    value = position.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**62:
        raise BadCursor()
    return value


def by_id_desc(stmt: Select, id_column, args: dict, transform: Callable = lambda rows: rows) -> ListPage:
    """A keyset page of ``stmt`` newest (highest id) first. The cursor holds ``before`` (the next page: ids
    below it) or ``after`` (the previous page: ids above it)."""
    position, size = decode(args["cursor"]), args["page_size"]
    before, after = position_int(position, "before"), position_int(position, "after")
    if after is not None:
        rows = db.session.scalars(stmt.where(id_column > after).order_by(id_column.asc()).limit(size + 1)).all()
        more_before, rows = len(rows) > size, list(reversed(rows[:size]))
        has_next, has_prev = True, more_before
    else:
        if before is not None:
            stmt = stmt.where(id_column < before)
        rows = db.session.scalars(stmt.order_by(id_column.desc()).limit(size + 1)).all()
        has_next, has_prev, rows = len(rows) > size, before is not None, list(rows[:size])
    next_pos = {"before": rows[-1].id} if rows and has_next else None
    prev_pos = {"after": rows[0].id} if rows and has_prev else None
    return ListPage(transform(rows), link(next_pos), link(prev_pos))
