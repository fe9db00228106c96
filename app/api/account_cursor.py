"""The accounts list's keyset cursors: a cursor holds the ordering, the sort value and id of the row a page
continues from, and the way (next or previous); the page runs the worklist's own walks after that row."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from app.accounts import queries
from app.accounts.worklist_filters import SORTS
from app.api import paging
from app.api.account_schemas import ORDERINGS


def keyset_page(viewer, filters, args: dict) -> paging.ListPage:
    """The page of ``viewer``'s accounts with ``filters`` that ``args``' cursor names (the first without one)."""
    size = args["page_size"]
    position = paging.decode(args["cursor"])
    backwards = position.get("d") == "p"
    following = _cursor_row(position, args["ordering"])
    if backwards:
        filters = replace(filters, direction="asc" if filters.direction == "desc" else "desc")
    page = queries.list_accounts(viewer, filters, 1, size, following=following)
    rows, more = (page.items[::-1], page.has_next) if backwards else (page.items, page.has_next)
    has_next, has_previous = (True, more) if backwards else (more, following is not None)
    next_position = _position(rows[-1], args["ordering"], "n") if rows and has_next else None
    previous_position = _position(rows[0], args["ordering"], "p") if rows and has_previous else None
    return paging.ListPage(rows, paging.link(next_position), paging.link(previous_position))


def _sort_column(ordering: str):
    return SORTS[ORDERINGS[ordering.lstrip("-")]]


def _position(row, ordering: str, way: str) -> dict:
    """The cursor continuing from ``row`` (``way``: "n" the rows after it, "p" those before it)."""
    return {"s": ordering, "v": _json_value(getattr(row, _sort_column(ordering).key)), "i": row.id, "d": way}


def _json_value(value):
    if value is None or isinstance(value, int):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)  # a datetime is a date


def _cursor_row(position: dict, ordering: str) -> tuple | None:
    """(sort value, id) of the row a cursor continues from, None for the first page; BadCursor for a cursor of
    another ordering or one this API did not write."""
    if not position:
        return None
    if position.get("s") != ordering or position.get("d") not in ("n", "p") or "v" not in position:
        raise paging.BadCursor()
    account_id = paging.position_int(position, "i")
    if account_id is None:
        raise paging.BadCursor()
    return _cursor_value(position["v"], _sort_column(ordering).type.python_type), account_id


def _cursor_value(value, python_type):
    if value is None:
        return None
    try:
        if python_type is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if python_type is Decimal and isinstance(value, str):
            return Decimal(value)
        if python_type in (date, datetime) and isinstance(value, str):
            parsed = python_type.fromisoformat(value)
            if python_type is date or parsed.tzinfo is not None:
                return parsed
    except (ValueError, ArithmeticError):
        pass
    raise paging.BadCursor()
