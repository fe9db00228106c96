"""Walking an agency's hash chain to prove nothing was edited, removed or inserted."""

from dataclasses import dataclass

from sqlalchemy import select

from app.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from app.audit.services import event_hash
from app.extensions import db


@dataclass
class ChainReport:
    agency_id: int
    events: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(agency_id: int, batch: int = 5000) -> ChainReport:
    """Recompute every hash of the agency's chain in order; stop at the first broken link."""
    report = ChainReport(agency_id=agency_id, events=0)
    expected_prev, last_id = GENESIS_HASH, 0
    while True:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.agency_id == agency_id, AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch)
        )
        events = db.session.scalars(stmt).all()
        for event in events:
            reason = _link_problem(event, expected_prev)
            if reason:
                report.broken_at, report.reason = event.id, reason
                return report
            report.events += 1
            expected_prev, last_id = event.hash, event.id
        if len(events) < batch:
            break
    return _check_head(report, agency_id, expected_prev, last_id)


def _link_problem(event: AuditEvent, expected_prev: str) -> str:
    if event.prev_hash != expected_prev:
        return "previous-hash link broken (an event before it was removed or altered)"
    if event_hash(event) != event.hash:
        return "content does not match its hash (the event was edited)"
    return ""


def _check_head(report: ChainReport, agency_id: int, last_hash: str, last_id: int) -> ChainReport:
    head = db.session.get(AuditChainHead, agency_id)
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_hash != last_hash:
        report.broken_at = last_id or 0
        report.reason = "chain head does not match the newest event (events were removed from the end)"
    return report
