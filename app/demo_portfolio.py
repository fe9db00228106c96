"""The demo agencies' portfolios: creditors, debtors, accounts and the timelines that brought them to their status.

Everything random comes from the run's ``random.Random``, so every run builds the same portfolio (timestamps
are the same offsets from the time of the run). The tables live in ``app.demo_data``.
"""

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from app import demo_data as data
from app.accounts.models import Account, ActivityKind, Creditor
from app.accounts.services import add_timeline_entry, status_change_text
from app.accounts.states import OPEN_STATUSES, Status
from app.agencies.models import Agency
from app.auth.models import User
from app.debtors.models import Debtor
from app.extensions import db

SECOND, MINUTE, HOUR, DAY = (timedelta(seconds=n) for n in (1, 60, 3600, 86400))


class Step(NamedTuple):
    """One planned timeline entry, before it has a time and an account id."""

    kind: ActivityKind
    actor: User | None
    body: str
    details: dict


Entry = tuple[datetime, Step]


@dataclass
class Run:
    """What building one agency's portfolio needs at hand."""

    spec: data.AgencySpec
    agency: Agency
    admin: User
    collectors: list[User]
    rng: random.Random
    now: datetime
    creditors: list[tuple[Creditor, str]] = field(default_factory=list)
    open_counts: Counter = field(default_factory=Counter)


def build_portfolio(run: Run) -> dict[str, int]:
    """Create the agency's creditors, debtors, accounts and their timelines; return the counts."""
    spec = run.spec
    run.creditors = [(Creditor(agency_id=run.agency.id, name=name), kind) for name, kind in spec.creditors]
    names = run.rng.sample(data.FULL_NAMES, spec.account_count - spec.shared_debtors)
    debtors = [_make_debtor(run, index, name) for index, name in enumerate(names)]
    owners = debtors + run.rng.sample(debtors, spec.shared_debtors)
    statuses = [status for status, count in spec.statuses for _ in range(count)]
    run.rng.shuffle(statuses)
    placed = [
        _make_account(run, f"ACC-{spec.first_ref + index}", status, owner)
        for index, (status, owner) in enumerate(zip(statuses, owners, strict=True))
    ]
    db.session.add_all([creditor for creditor, _ in run.creditors] + debtors + [account for account, _ in placed])
    db.session.flush()
    activities = sum(_write_timeline(account, entries) for account, entries in placed)
    return {"creditors": len(run.creditors), "debtors": len(debtors), "accounts": len(placed), "activities": activities}


def _make_debtor(run: Run, index: int, name: tuple[str, str]) -> Debtor:
    """A debtor with contact details, a US address and an encrypted SSN last 4."""
    rng, (first, last) = run.rng, name
    city, state, postal_code, area_code = rng.choice(data.CITIES)
    suffix = rng.choice(("", "", str(rng.randint(1, 99))))
    debtor = Debtor(
        agency_id=run.agency.id,
        debtor_ref=f"DBT-{10000 + index}",
        full_name=f"{first} {last}",
        email=f"{first}.{last}{suffix}@{rng.choice(data.EMAIL_DOMAINS)}".lower(),
        phone=f"({area_code}) 555-{rng.randint(100, 199):04d}",
        address_line1=f"{rng.randint(100, 9899)} {rng.choice(data.STREETS)}",
        address_line2=f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else None,
        city=city,
        state=state,
        postal_code=postal_code,
    )
    debtor.ssn_last4 = f"{rng.randint(1, 9999):04d}"  # the setter encrypts it
    return debtor


def _make_account(run: Run, ref: str, status: Status, debtor: Debtor) -> tuple[Account, list[Entry]]:
    """An account placed 1-180 days ago, with the timeline that brought it to ``status`` (not yet written)."""
    low, high = data.PLACEMENT_DAYS[status]
    placed_at = run.now - timedelta(days=run.rng.uniform(low, high))
    creditor, account_type = run.rng.choice(run.creditors)
    collector, entries = _plan_history(run, status, placed_at, creditor.name)
    amount = Decimal(run.rng.randint(*(dollars * 100 for dollars in data.AMOUNT_RANGES[account_type]))).scaleb(-2)
    account = Account(
        agency_id=run.agency.id,
        debtor=debtor,
        creditor=creditor,
        external_ref=ref,
        account_type=account_type,
        original_amount=amount,
        current_balance=amount,  # no payments yet
        status=status,
        priority=run.rng.choices((0, 1, 2, 3), weights=(20, 40, 30, 10))[0],
        due_date=_due_date(run.rng, placed_at),
        assigned_collector=collector,
        last_contact_at=max((at for at, step in entries if step.kind == ActivityKind.NOTE), default=None),
        created_at=placed_at,
        updated_at=entries[-1][0],
    )
    account.refresh_search_text()
    debtor.created_at = min(debtor.created_at or placed_at, placed_at)
    return account, entries


def _due_date(rng: random.Random, placed_at: datetime) -> date | None:
    """A due date from a month before placement to three months after it; a few accounts have none."""
    return None if rng.random() < 0.08 else (placed_at + timedelta(days=rng.randint(-30, 90))).date()


def _plan_history(run: Run, status: Status, placed_at: datetime, creditor: str) -> tuple[User | None, list[Entry]]:
    """The collector and the timestamped timeline of an account that ends in ``status``."""
    path = run.rng.choice(data.PATHS[status])
    collector = _pick_collector(run, status) if path[:1] == (Status.ASSIGNED,) else None
    entries, start = [_import_entry(placed_at, creditor)], placed_at + HOUR
    if collector is not None:
        assigned_at = placed_at + HOUR + min(3 * DAY, (run.now - placed_at) / 3) * run.rng.random()
        entries += _assignment_entries(run.admin, collector, assigned_at)
        start = assigned_at + MINUTE
    steps = _later_steps(run, path, collector)
    entries += zip(_increasing_times(run.rng, start, run.now - HOUR / 2, len(steps)), steps, strict=True)
    return collector, entries


def _pick_collector(run: Run, status: Status) -> User:
    """A random collector, among those with room for one more open account when ``status`` is open."""
    is_open = status in OPEN_STATUSES
    room = [c for c in run.collectors if not is_open or run.open_counts[c.id] < c.collector_profile.max_open_accounts]
    if not room:
        raise RuntimeError(f"{run.agency.slug}: the demo collectors have no room for another open account")
    collector = run.rng.choice(room)
    run.open_counts[collector.id] += is_open
    return collector


def _import_entry(placed_at: datetime, creditor_name: str) -> Entry:
    """The placement: the creditor's file that brought the account in."""
    file_name = f"{re.sub(r'[^a-z0-9]+', '_', creditor_name.lower())}_placements_{placed_at:%Y%m%d}.csv"
    body = f"Placed by {creditor_name} in file {file_name}"
    return placed_at, Step(ActivityKind.IMPORT, None, body, {"file": file_name, "creditor": creditor_name})


def _assignment_entries(admin: User, collector: User, at: datetime) -> list[Entry]:
    """The admin's assignment and the system move from new to assigned it causes, as the service writes them."""
    details = {"old": None, "new": collector.id}
    assignment = Step(ActivityKind.ASSIGNMENT, admin, f"Assigned to {collector.full_name}", details)
    return [(at, assignment), (at + SECOND, _status_step(Status.NEW, Status.ASSIGNED, admin, "", "assignment"))]


def _later_steps(run: Run, path: tuple[Status, ...], collector: User | None) -> list[Step]:
    """Status changes along ``path`` after the assignment, with 1-4 notes spread over the statuses passed."""
    note_count = run.rng.randint(1, 4) if path else 0
    notes_at = Counter(run.rng.randint(1, len(path)) for _ in range(note_count))
    steps, previous = [], Status.NEW
    for stage, status in enumerate(path, start=1):
        if not (stage == 1 and collector is not None):  # the assignment already moved it to assigned
            steps.append(_status_step(previous, status, collector or run.admin, _reason(run.rng, previous, status)))
        steps += _note_steps(run, status, collector, notes_at[stage])
        previous = status
    return steps


def _reason(rng: random.Random, old: Status, new: Status) -> str:
    """Why an account moved from ``old`` to ``new``, as a collector would put it."""
    return rng.choice(data.REASONS.get((old, new)) or data.REASONS.get(new, ("",)))


def _status_step(old: Status, new: Status, actor: User, reason: str = "", system: str = "") -> Step:
    """A status change entry shaped like the one ``accounts.services.set_status`` writes."""
    body = status_change_text(old, new, reason)
    return Step(ActivityKind.STATUS_CHANGE, actor, body, {"old": old.value, "new": new.value, "system": system})


def _note_steps(run: Run, status: Status, collector: User | None, count: int) -> list[Step]:
    """Up to ``count`` different notes fitting ``status``, mostly by the collector, sometimes by the admin."""
    texts = run.rng.sample(data.NOTES[status], min(count, len(data.NOTES[status])))
    steps = []
    for text in texts:
        supervising = collector is not None and run.rng.random() < 0.2
        author = run.admin if supervising or collector is None else collector
        steps.append(Step(ActivityKind.NOTE, author, run.rng.choice(data.ADMIN_NOTES) if supervising else text, {}))
    return steps


def _increasing_times(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """``count`` random, strictly increasing times between ``start`` and ``end``."""
    times, previous = [], start
    for moment in sorted(start + (end - start) * rng.random() for _ in range(count)):
        previous = max(moment, previous + SECOND)
        times.append(previous)
    return times


def _write_timeline(account: Account, entries: list[Entry]) -> int:
    """Add the planned entries to the account's timeline at their own times; return how many."""
    for at, step in entries:
        add_timeline_entry(account, step.kind, step.body, step.actor, **step.details).created_at = at
    return len(entries)
