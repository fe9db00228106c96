"""What a bulk action is: a check of its parameters, a change of one batch, and its outcome in words.

A new action (e.g. a follow-up on every selected account) is one ``BulkAction`` added to ``app.bulk.actions``,
a form in ``app.bulk.forms.FORMS`` and a template section: the selection, batching, locking, progress,
background job and the one audit event of the operation come with it.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Row, insert

from app.accounts.models import Activity
from app.auth.models import User
from app.extensions import db


@dataclass
class Batch:
    """One transaction's share of an operation: its accounts, locked, as (id, status, assigned_collector_id).

    ``state`` carries what an action needs from one batch to the next (the round-robin turn); it is saved with
    the operation, so a resumed job continues where the last committed batch ended.
    """

    actor: User
    operation_id: int
    params: dict
    rows: list[Row]
    state: dict


@dataclass(frozen=True)
class BulkAction:
    name: str
    label: str
    # (actor, raw parameters) -> clean, JSON-safe parameters; raises ValidationFailed when they are not usable.
    prepare: Callable[[User, dict], dict]
    # Changes one locked batch (no commit) and returns its counts.
    apply: Callable[[Batch], Counter]
    # (parameters, counts of the whole operation) -> the outcome as the admin reads it.
    summary: Callable[[dict, dict], str]


def insert_timeline(entries: list[dict]) -> None:
    """Write timeline entries (``accounts.services.timeline_values`` each) as multi-row INSERT statements.

    ``RETURNING`` makes SQLAlchemy send them as "insertmanyvalues" (a thousand rows a statement) rather than one
    statement per row, so the timeline's statement-level rollup triggers run once per thousand entries.
    """
    if entries:
        db.session.execute(insert(Activity).returning(Activity.id), entries).all()


def count_text(count: int, noun: str) -> str:
    """ "1 account", "4,200 accounts"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
