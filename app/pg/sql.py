"""SQL the two databases spell differently, as constructs compiled for the database that runs them: a
statement keeps one shape (and one cache entry) whichever database it goes to, and no caller branches."""

from sqlalchemy import func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Float, Integer

DAY_SECONDS = 86400
JULIAN_1970 = 2440587.5  # the Julian day number of 1970-01-01 00:00 UTC


class position(FunctionElement):  # noqa: N801 (named like the SQL function it stands for)
    """``position(haystack, needle)``: where ``needle`` first occurs in ``haystack``, 1-based, 0 when absent."""

    type = Integer()
    inherit_cache = True
    name = "position"


class seconds_between(FunctionElement):  # noqa: N801
    """``seconds_between(start, end)``: the seconds from timestamp ``start`` to ``end``."""

    inherit_cache = True
    name = "seconds_between"


class epoch_days(FunctionElement):  # noqa: N801
    """``epoch_days(ts)``: the days (fractional, a double) from 1970-01-01 00:00 UTC to timestamp ``ts``.

    On PostgreSQL ``date_part`` of the timestamp itself (a double): no interval built per row, and not
    ``extract`` (a numeric since PostgreSQL 14, several times slower); the work score computes it for every
    account of a collector's list."""

    type = Float()
    inherit_cache = True
    name = "epoch_days"


class smaller(FunctionElement):  # noqa: N801
    """``smaller(a, b)``: the smaller of two non-null numbers (``least`` on PostgreSQL, ``min`` on SQLite)."""

    type = Float()
    inherit_cache = True
    name = "smaller"


@compiles(epoch_days, "postgresql")
def _epoch_days(element, compiler, **kw) -> str:
    (ts,) = element.clauses
    return compiler.process((func.date_part("epoch", ts) / float(DAY_SECONDS)).self_group(), **kw)


@compiles(epoch_days, "sqlite")
def _julian_epoch_days(element, compiler, **kw) -> str:
    (ts,) = element.clauses
    return compiler.process((func.julianday(ts) - JULIAN_1970).self_group(), **kw)  # grouped: used inside sums


@compiles(smaller, "postgresql")
def _least(element, compiler, **kw) -> str:
    return compiler.process(func.least(*element.clauses), **kw)


@compiles(smaller, "sqlite")
def _min(element, compiler, **kw) -> str:
    return compiler.process(func.min(*element.clauses), **kw)


@compiles(position, "postgresql")
def _strpos(element, compiler, **kw) -> str:
    return compiler.process(func.strpos(*element.clauses), **kw)


@compiles(position, "sqlite")
def _instr(element, compiler, **kw) -> str:
    return compiler.process(func.instr(*element.clauses), **kw)


@compiles(seconds_between, "postgresql")
def _epoch_difference(element, compiler, **kw) -> str:
    start, end = element.clauses
    return compiler.process(func.extract("epoch", end - start), **kw)


@compiles(seconds_between, "sqlite")
def _julian_difference(element, compiler, **kw) -> str:
    start, end = element.clauses
    return compiler.process((func.julianday(end) - func.julianday(start)) * DAY_SECONDS, **kw)
