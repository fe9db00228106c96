"""Bulk assignment: the selection to one collector, or distributed across several, never past a maximum.

The rules are the single assignment's (``accounts.services``): a closed account is not reassigned, an account
already with a chosen collector stays, a new one becomes assigned, and only open accounts take a place.
"""

from collections import Counter, defaultdict

from sqlalchemy import select, update

from app.accounts import queries
from app.accounts import services as accounts
from app.accounts.models import Account, ActivityKind
from app.auth.models import User
from app.bulk.distribution import MODES, ROUND_ROBIN, Distributor
from app.bulk.registry import Batch, BulkAction, count_text, insert_timeline
from app.errors import ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

MAX_COLLECTORS = 100


def prepare(actor: User, params: dict) -> dict:
    """The chosen active collectors of the actor's agency (in the order chosen) and the mode."""
    chosen = list(dict.fromkeys(int(c) for c in params.get("collector_ids") or ()))
    active = {c.id for c in queries.list_collectors(actor, active_only=True)}
    if not chosen or len(chosen) > MAX_COLLECTORS or not set(chosen) <= active:
        message = "Choose one or more active collectors of your agency."
        raise ValidationFailed(message, {"collector_ids": message})
    mode = params.get("mode") or ROUND_ROBIN
    if mode not in MODES:
        raise ValidationFailed("Choose how to distribute.", {"mode": "Choose round-robin or by capacity."})
    return {"collector_ids": chosen, "mode": mode}


def apply(batch: Batch) -> Counter:
    """Place the batch's accounts on the chosen collectors (their profiles locked, so a concurrent assigner
    waits and then counts these accounts), then write them set-based with their timeline entries."""
    distributor = _distributor(batch)
    chosen = set(distributor.collector_ids)
    counts, placements = Counter(), defaultdict(list)
    for row in batch.rows:
        refusal = accounts.assignment_refusal(row.status, row.assigned_collector_id, chosen)
        target = None if refusal else distributor.place(accounts.counts_against_limit(row.status))
        if target is None:
            counts[refusal or ("no_room_kept" if row.assigned_collector_id else "no_room")] += 1
            continue
        placements[target].append(row)
    _write(batch, placements, counts)
    batch.state["cursor"] = distributor.cursor
    return counts


def _distributor(batch: Batch) -> Distributor:
    """The chosen collectors still active, each with their free capacity as of now (profiles locked first)."""
    profiles = accounts.lock_assignable_collectors(batch.actor, batch.params["collector_ids"])
    ids = [c for c in batch.params["collector_ids"] if c in {p.user_id for p in profiles}]
    limits = {p.user_id: p.max_open_accounts for p in profiles}
    open_counts = queries.count_open_accounts_of(ids)
    free = [max(limits[c] - open_counts[c], 0) for c in ids]
    return Distributor(ids, free, batch.params["mode"], batch.state.get("cursor", 0))


def _write(batch: Batch, placements: dict[int, list], counts: Counter) -> None:
    names = _names({*placements, *(r.assigned_collector_id for rows in placements.values() for r in rows)})
    entries = []
    for collector_id, rows in placements.items():
        for status in {r.status for r in rows}:
            ids = [r.id for r in rows if r.status == status]
            new_status = accounts.status_after_assignment(status)
            values = dict(assigned_collector_id=collector_id, status=new_status, updated_at=utcnow())
            db.session.execute(
                update(Account).where(Account.id.in_(ids)).values(**values),
                execution_options={"synchronize_session": False},
            )
            counts["status_assigned"] += len(ids) if new_status != status else 0
        entries += [_entry(batch, row, collector_id, names) for row in rows]
        entries += [
            _status_entry(batch, row) for row in rows if accounts.status_after_assignment(row.status) != row.status
        ]
        counts["assigned"] += len(rows)
        counts[f"collector:{collector_id}"] += len(rows)
    insert_timeline(entries)
    _announce(batch.actor.agency_id, placements)


def _announce(agency_id: int, placements: dict[int, list]) -> None:
    """The webhook events of the batch: an assignment per account, and the status change where there is one."""
    pairs = [(row, collector_id) for collector_id, rows in placements.items() for row in rows]
    assigned = [accounts.assigned_event(r.id, c, r.assigned_collector_id) for r, c in pairs]
    accounts.announce_many(agency_id, "account.assigned", assigned)
    moved = [(r, accounts.status_after_assignment(r.status)) for r, _ in pairs]
    changed = [accounts.status_event(r.id, r.status, new) for r, new in moved if new != r.status]
    accounts.announce_many(agency_id, "account.status_changed", changed)


def _entry(batch: Batch, row, collector_id: int, names: dict) -> dict:
    previous = row.assigned_collector_id
    body = accounts.assignment_text(names[collector_id], names.get(previous))
    details = dict(old=previous, new=collector_id, bulk=batch.operation_id)
    return accounts.timeline_values(
        batch.actor.agency_id, row.id, ActivityKind.ASSIGNMENT, body, batch.actor, **details
    )


def _status_entry(batch: Batch, row) -> dict:
    new = accounts.status_after_assignment(row.status)
    body = accounts.status_change_text(row.status, new)
    details = dict(old=row.status.value, new=new.value, system="assignment", bulk=batch.operation_id)
    return accounts.timeline_values(
        batch.actor.agency_id, row.id, ActivityKind.STATUS_CHANGE, body, batch.actor, **details
    )


def _names(user_ids: set) -> dict[int, str]:
    ids = [i for i in user_ids if i]
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def summary(params: dict, counts: dict) -> str:
    """E.g. "4,200 assigned, 800 left unassigned: every chosen collector is full." """
    parts = [f"{counts.get('assigned', 0):,} assigned"]
    if counts.get("no_room"):
        parts.append(f"{counts['no_room']:,} left unassigned: every chosen collector is full")
    if counts.get("no_room_kept"):
        parts.append(f"{count_text(counts['no_room_kept'], 'account')} left with their collector: no room")
    if counts.get("already"):
        parts.append(f"{counts['already']:,} already with a chosen collector")
    if counts.get("closed"):
        parts.append(f"{count_text(counts['closed'], 'closed account')} not reassigned")
    return ", ".join(parts) + "."


ACTION = BulkAction("assign", "Assign or distribute", prepare, apply, summary)
