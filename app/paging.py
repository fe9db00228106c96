"""Pages of a list: fetch one row more than the page to know whether a next page exists; the list's total is
counted apart (:func:`count_total`), exactly where that is cheap.

The page number comes from the query string (:func:`page_number`): plain ASCII digits from 1 to
:data:`MAX_PAGE`. A page past the data is an empty page (the template links back to the first one); a
number beyond :data:`MAX_PAGE` is a 404, as no list the app shows is that long and its offset would overflow
the databases' integers.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app, request
from sqlalchemy import Select, func, select

from app import pg
from app.errors import DomainError, NotFound
from app.extensions import db
from app.pg.estimate import estimated_rows

MAX_PAGE = 1_000_000
# Rows counted one by one at most on PostgreSQL (``LIST_COUNT_CAP`` overrides it): beyond them a total is the
# planner's estimate. Counting this many index entries stays well inside the list page's budget
# (docs/performance.md).
COUNT_CAP = 10_000


class BadPageNumber(DomainError):
    status, code = 400, "bad_page"


@dataclass
class Page:
    items: list = field(default_factory=list)
    number: int = 1
    size: int = 25
    has_next: bool = False

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1


def page_number(default: int = 1, limit: int = MAX_PAGE) -> int:
    """The ``page`` query parameter: ``default`` when absent or empty; BadPageNumber (400) for anything but
    ASCII digits or for 0; NotFound (404) above ``limit``."""
    raw = request.args.get("page", "").strip()
    if not raw:
        return default
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        raise BadPageNumber("The page number must be a whole number from 1.", {"page": "Not a page number."})
    # Length first: int() refuses thousands of digits with an error of its own.
    if len(digits) > len(str(limit)) or int(digits) > limit:
        raise NotFound("No such page.")
    return int(digits)


def offset(page: int, per_page: int) -> int:
    """How many rows come before ``page``."""
    return (page - 1) * per_page


def page_of(rows: Sequence, page: int, per_page: int) -> Page:
    """The page made of up to ``per_page + 1`` rows read for it: the extra row only says a next page exists."""
    return Page(items=list(rows[:per_page]), number=page, size=per_page, has_next=len(rows) > per_page)


def paginate(stmt: Select, page: int, per_page: int) -> Page:
    """One page of an ordered ORM statement's entities."""
    rows = db.session.scalars(stmt.offset(offset(page, per_page)).limit(per_page + 1)).all()
    return page_of(rows, page, per_page)


@dataclass(frozen=True)
class Total:
    """How many rows a list holds: exact, the planner's estimate (``estimated``), or at least ``count`` when not
    even an estimate above the cap is at hand (``at_least``)."""

    count: int
    estimated: bool = False
    at_least: bool = False

    @property
    def text(self) -> str:
        if self.estimated:
            return f"about {_rounded(self.count):,}"
        return f"more than {self.count:,}" if self.at_least else f"{self.count:,}"


def _rounded(n: int) -> int:
    """Two significant digits: an estimate shown to the unit would claim a precision it lacks."""
    magnitude = 10 ** max(len(str(n)) - 2, 0)
    return round(n / magnitude) * magnitude


def count_total(stmt: Select, values: dict | None = None) -> Total:
    """The number of rows of ``stmt``: counted exactly on SQLite (the embedded default holds small agencies);
    on PostgreSQL counted up to :data:`COUNT_CAP`, and beyond that the planner's estimate."""
    values, cap = values or {}, current_app.config.get("LIST_COUNT_CAP", COUNT_CAP)
    if not pg.active():
        return Total(db.session.scalar(select(func.count()).select_from(stmt.subquery()), values))
    counted = db.session.scalar(select(func.count()).select_from(stmt.limit(cap + 1).subquery()), values)
    if counted <= cap:
        return Total(counted)
    estimate = estimated_rows(stmt, values)
    return Total(estimate, estimated=True) if estimate > cap else Total(cap, at_least=True)
