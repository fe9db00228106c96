"""Which accounts a bulk action acts on: ids picked on the list, or every account matching the list's filters.

"All matching" never sends ids to the browser: the selection keeps the list's filter query string and the
server re-runs that filter (``worklist.matching_ids``), always inside the admin's agency.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl

from sqlalchemy import Row, Select, func, select
from werkzeug.datastructures import MultiDict

from app.accounts import queries
from app.accounts.forms import WorklistFilterForm
from app.accounts.models import Account
from app.accounts.queries import WorklistFilters
from app.accounts.states import Status
from app.accounts.worklist import matching_ids
from app.auth.models import User
from app.errors import ValidationFailed
from app.extensions import db

MAX_IDS = 500  # picked by hand on list pages; larger selections are "all matching these filters"
MAX_QUERY = 2000


@dataclass(frozen=True)
class Selection:
    """Explicit account ids, or (``query`` set) every account the list shows for that filter query string."""

    ids: tuple[int, ...] = ()
    query: str | None = None

    def to_json(self) -> dict:
        return {"query": self.query} if self.query is not None else {"ids": list(self.ids)}

    @classmethod
    def from_json(cls, data: dict) -> "Selection":
        return cls(query=data["query"]) if "query" in data else cls(ids=tuple(data.get("ids", ())))


def parse_ids(raw: list[str]) -> tuple[int, ...]:
    """Distinct positive ids from the checkboxes' values (anything else is ignored), at most ``MAX_IDS``."""
    ids = sorted({int(v) for v in raw if v.isascii() and v.isdigit() and 0 < int(v) < 2**31})
    if len(ids) > MAX_IDS:
        raise ValidationFailed(f"Pick at most {MAX_IDS} accounts, or select all matching the filters.")
    return tuple(ids)


def parse_filters(viewer: User, query: str) -> WorklistFilters:
    """The list's filters from its query string, read by the list's own form (so they mean the same here)."""
    if len(query) > MAX_QUERY:
        raise ValidationFailed("These filters are too long.")
    form = WorklistFilterForm(formdata=MultiDict(parse_qsl(query, keep_blank_values=True)), meta={"csrf": False})
    form.set_collectors(queries.list_collectors(viewer))
    if not form.validate():
        raise ValidationFailed("These filters are not valid: change them on the accounts list.")
    return form.to_filters()


def selected_ids(viewer: User, selection: Selection) -> tuple[Select, dict]:
    """The ids of the selection's accounts in the viewer's agency (an id of another agency selects nothing)."""
    if selection.query is not None:
        return matching_ids(viewer, parse_filters(viewer, selection.query))
    return select(Account.id).where(Account.agency_id == viewer.agency_id, Account.id.in_(selection.ids)), {}


def count_selected(viewer: User, selection: Selection) -> int:
    stmt, values = selected_ids(viewer, selection)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()), values) or 0


def statuses_selected(viewer: User, selection: Selection) -> dict[Status, int]:
    """How many selected accounts are in each status (for the status change's choices)."""
    ids, values = selected_ids(viewer, selection)
    stmt = select(Account.status, func.count(Account.id)).where(Account.id.in_(ids)).group_by(Account.status)
    return dict(db.session.execute(stmt, values).all())


def next_batch(viewer: User, selection: Selection, after: int, size: int) -> list[Row]:
    """(id, status, assigned_collector_id) of the next ``size`` selected accounts after id ``after``, in id
    order, locked for this transaction (in id order, so overlapping operations wait rather than deadlock)."""
    ids, values = selected_ids(viewer, selection)
    stmt = (
        ids.with_only_columns(Account.id, Account.status, Account.assigned_collector_id)
        .where(Account.id > after)
        .order_by(Account.id)
        .limit(size)
        .with_for_update(of=Account)
    )
    return list(db.session.execute(stmt, values).all())
