"""Bulk changes of priority and status on a selection (the state machine decides, account by account)."""

from collections import Counter

from sqlalchemy import update

from app.accounts import services as accounts
from app.accounts.models import Account, ActivityKind
from app.accounts.states import Status
from app.accounts.workscore import priority_label
from app.auth.models import User
from app.bulk.registry import Batch, BulkAction, count_text, insert_timeline
from app.errors import ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

PRIORITIES = range(4)


def prepare_priority(actor: User, params: dict) -> dict:
    try:
        priority = int(params.get("priority"))
    except (TypeError, ValueError):
        priority = -1
    if priority not in PRIORITIES:
        raise ValidationFailed("Choose a priority from P0 to P3.", {"priority": "Choose P0–P3."})
    return {"priority": priority}


def apply_priority(batch: Batch) -> Counter:
    """Set the priority on the batch's accounts that have another one (one UPDATE)."""
    priority = batch.params["priority"]
    stmt = (
        update(Account)
        .where(Account.id.in_([r.id for r in batch.rows]), Account.priority != priority)
        .values(priority=priority, updated_at=utcnow())
    )
    changed = db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount
    return Counter(changed=changed, unchanged=len(batch.rows) - changed)


def summary_priority(params: dict, counts: dict) -> str:
    text = f"Priority set to {priority_label(params['priority'])} on {count_text(counts.get('changed', 0), 'account')}"
    return text + (f"; {counts['unchanged']:,} already had it." if counts.get("unchanged") else ".")


def prepare_status(actor: User, params: dict) -> dict:
    return {"status": accounts.parse_status(params.get("status") or "").value}


def apply_status(batch: Batch) -> Counter:
    """Move every account of the batch the state machine allows to the target; count the others by status."""
    target, counts = Status(batch.params["status"]), Counter()
    moved = []
    for row in batch.rows:
        if accounts.transition_refusal(row.status, target, row.assigned_collector_id is not None):
            counts[f"skipped:{row.status.value}"] += 1
        else:
            moved.append(row)
    if moved:
        stmt = update(Account).where(Account.id.in_([r.id for r in moved])).values(status=target, updated_at=utcnow())
        db.session.execute(stmt, execution_options={"synchronize_session": False})
        insert_timeline([_status_entry(batch, row, target) for row in moved])
        events = [accounts.status_event(row.id, row.status, target) for row in moved]
        accounts.announce_many(batch.actor.agency_id, "account.status_changed", events)
    counts["changed"] = len(moved)
    return counts


def _status_entry(batch: Batch, row, target: Status) -> dict:
    body = accounts.status_change_text(row.status, target)
    details = dict(old=row.status.value, new=target.value, system="", bulk=batch.operation_id)
    return accounts.timeline_values(
        batch.actor.agency_id, row.id, ActivityKind.STATUS_CHANGE, body, batch.actor, **details
    )


def summary_status(params: dict, counts: dict) -> str:
    """E.g. "120 moved to In contact; 30 left as they were (New: 20, Closed: 10 cannot move to In contact)." """
    target = Status(params["status"])
    text = f"{count_text(counts.get('changed', 0), 'account')} moved to {target.label}"
    skipped = {Status(k.split(":", 1)[1]): n for k, n in counts.items() if k.startswith("skipped:") and n}
    if not skipped:
        return text + "."
    detail = ", ".join(f"{status.label}: {n:,}" for status, n in sorted(skipped.items()))
    left = sum(skipped.values())
    return f"{text}; {left:,} left as they were ({detail} cannot move to {target.label})."


PRIORITY = BulkAction("priority", "Set priority", prepare_priority, apply_priority, summary_priority)
STATUS = BulkAction("status", "Change status", prepare_status, apply_status, summary_status)
