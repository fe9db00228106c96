"""Pages of a list: fetch one row more than the page to know whether a next page exists (no total count)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select

from app.extensions import db


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
