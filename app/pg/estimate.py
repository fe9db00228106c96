"""The planner's estimate of how many rows a statement returns: a list's total where counting would cost more
than the page itself."""

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Executable, Select
from sqlalchemy.sql.elements import ClauseElement

from app.extensions import db


class _Explain(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, stmt: Select):
        self.stmt = stmt


@compiles(_Explain, "postgresql")
def _compile(element: _Explain, compiler, **kw) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.stmt, **kw)


def estimated_rows(stmt: Select, values: dict) -> int:
    """How many rows PostgreSQL expects ``stmt`` to return with ``values`` bound (planned, not run)."""
    plan = db.session.execute(_Explain(stmt), values).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])
