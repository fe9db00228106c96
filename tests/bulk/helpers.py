"""Shared builders of the bulk tests: collectors of a given capacity, a run of new accounts, what was written."""

from sqlalchemy import func, select

from app.accounts.models import Account, Activity, ActivityKind
from app.audit.models import AuditEvent
from app.extensions import db
from tests import factories as f


def collectors(agency, *capacities: int, names=("Cora", "Dan", "Eve", "Finn")) -> list:
    """One active collector per capacity (max open accounts), named in order."""
    return [
        f.CollectorFactory(agency=agency, full_name=name, profile__max_open_accounts=capacity)
        for name, capacity in zip(names, capacities, strict=False)
    ]


def new_accounts(agency, count: int, **fields) -> list[Account]:
    return [f.AccountFactory(agency=agency, **fields) for _ in range(count)]


def owners(accounts) -> list:
    """Each account's collector id, in the accounts' order (read afresh from the database)."""
    ids = [a.id for a in accounts]
    found = dict(db.session.execute(select(Account.id, Account.assigned_collector_id).where(Account.id.in_(ids))).all())
    return [found[i] for i in ids]


def open_count(collector) -> int:
    stmt = select(func.count(Account.id)).where(
        Account.assigned_collector_id == collector.id, Account.status.notin_(["settled", "closed"])
    )
    return db.session.scalar(stmt)


def timeline_count(accounts, kind: ActivityKind) -> int:
    stmt = select(func.count(Activity.id)).where(
        Activity.account_id.in_([a.id for a in accounts]), Activity.kind == kind
    )
    return db.session.scalar(stmt)


def audit_events(action: str, agency) -> list[AuditEvent]:
    """The agency's events of that action (committed tests leave other agencies' events behind)."""
    stmt = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.agency_id == agency.id)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))
