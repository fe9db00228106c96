"""The PostgreSQL trigger functions and triggers, kept as readable SQL in ``app/pg/sql/``.

The files hold ``{{name}}`` placeholders wherever a value is shared with Python (which payment statuses are
applied, which account statuses are open, activity kinds and detail keys, the rollups' sentinel days); rendering
fills them from the Python definitions, so a rule has one statement. ``install`` executes every statement (all
are ``CREATE OR REPLACE``); a migration calls it whenever a file or a shared value changes (docs/decisions.md).

File conventions the parser below relies on: function bodies are quoted with ``$$``, statements end with ``;``,
and ``--`` comments outside the bodies are dropped (those inside a body stay part of it).
"""

import hashlib
import re
from datetime import date
from pathlib import Path

from sqlalchemy import text

from app.accounts.aging import NO_DUE_DATE
from app.accounts.models import ActivityDetail, ActivityKind
from app.accounts.states import OPEN_STATUSES, Status
from app.analytics.models import NEVER, NO_EARLIER_DAY, FactKind
from app.payments.models import APPLIED_STATUSES

SQL_DIR = Path(__file__).with_name("sql")
# Install order: the collector functions come before the account trigger that calls them.
FILES = (
    "audit_append_only",
    "account_rollups",
    "payment_rollups",
    "collector_rollups",
    "account_change_set",
    "account_search",
)
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
FUNCTION = re.compile(r"^CREATE OR REPLACE FUNCTION (\w+)\(", re.IGNORECASE)
TRIGGER = re.compile(r"^CREATE OR REPLACE TRIGGER (\w+) .*? ON (\w+)", re.IGNORECASE | re.DOTALL)
COMMENT = re.compile(r"--[^\n]*")


def values() -> dict[str, object]:
    """Every placeholder's value, taken from the Python definition it mirrors."""
    return {
        "applied_statuses": APPLIED_STATUSES,
        "open_statuses": [s for s in Status if s in OPEN_STATUSES],
        "status_settled": Status.SETTLED,
        "kind_note": ActivityKind.NOTE,
        "kind_assignment": ActivityKind.ASSIGNMENT,
        "kind_status_change": ActivityKind.STATUS_CHANGE,
        "detail_new": ActivityDetail.NEW,
        **{f"fact_{k.name.lower()}": k for k in FactKind},
        "fact_kinds": list(FactKind),
        "no_due_date": NO_DUE_DATE,
        "no_earlier_day": NO_EARLIER_DAY,
        "never": NEVER,
    }


def literal(value) -> str:
    """``value`` as SQL: a date as ``DATE '…'``, a collection as a comma-separated list, anything else a string.

    Strings are quoted by doubling single quotes (standard-conforming strings); a ``$`` is refused because it
    could end the ``$$`` quoting of the function body the literal sits in.
    """
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(literal(v) for v in value)
    text = str(value)
    if "$" in text or "\0" in text:
        raise ValueError(f"refusing to put {text!r} into a dollar-quoted SQL body")
    return "'" + text.replace("'", "''") + "'"


def render(name: str) -> str:
    """The SQL of ``sql/<name>.sql`` with its placeholders filled. Raises KeyError for an unknown placeholder."""
    shared = values()
    source = (SQL_DIR / f"{name}.sql").read_text()
    return PLACEHOLDER.sub(lambda m: literal(shared[m.group(1)]), source)


def split(sql: str) -> list[str]:
    """The statements of ``sql``, without the comments outside function bodies."""
    statements, current = [], ""
    for i, part in enumerate(sql.split("$$")):
        if i % 2:  # inside a body: kept whole
            current += f"$${part}$$"
            continue
        pieces = COMMENT.sub("", part).split(";")
        current += pieces[0]
        for piece in pieces[1:]:
            statements.append(current.strip())
            current = piece
    statements.append(current.strip())
    return [s for s in statements if s]


def statements(files: tuple[str, ...] = FILES) -> list[str]:
    """Every statement of ``files`` (by default all), in install order."""
    return [s for name in files for s in split(render(name))]


def functions() -> dict[str, str]:
    """Each function's name and body, exactly as PostgreSQL keeps it (``pg_proc.prosrc``)."""
    found = ((FUNCTION.match(s), s) for s in statements())
    return {m.group(1): s.split("$$")[1] for m, s in found if m}


def triggers() -> set[tuple[str, str]]:
    """Each trigger as (name, table)."""
    found = (TRIGGER.match(s) for s in statements())
    return {(m.group(1), m.group(2)) for m in found if m}


def fingerprint() -> str:
    """A hash of everything ``install`` runs: the migration that last installed it records the same value."""
    return hashlib.sha256("\n;\n".join(statements()).encode()).hexdigest()


def install(connection, files: tuple[str, ...] = FILES) -> None:
    """Create or replace every trigger function and trigger of ``files`` (by default all) on ``connection``
    (PostgreSQL 14 or later). A migration written before a file existed names the files it installed: a later
    file's triggers may need tables that come later.

    No commit: the caller's transaction (a migration's) holds them. Each statement goes through ``text`` so the
    dialect escapes what its driver would read as a placeholder (the ``%`` of ``RAISE``).
    """
    for statement in statements(files):
        clause = text(statement)
        if clause.compile().params:  # a ``:name`` in the SQL would silently become a parameter
            raise ValueError(f"unexpected bind parameters in: {statement[:80]}")
        connection.execute(clause)
