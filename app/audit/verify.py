"""Walking an agency's hash chain to prove nothing was edited, removed or inserted.

Events after the agency's legacy boundary must carry an HMAC under the audit key, so whoever rewrites an event
inside the database cannot recompute the chain after it (not with plain SHA-256 either: the boundary is MAC'd).
A checkpoint (see :mod:`app.audit.checkpoint`) adds the head published earlier outside the database: the chain
must still pass through that event with that hash.
"""

from dataclasses import dataclass

from sqlalchemy import select

from app.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent, AuditLegacyBoundary
from app.audit.services import event_hash, legacy_mark
from app.extensions import db


@dataclass(frozen=True)
class Anchor:
    """An event of the chain as a checkpoint recorded it."""

    event_id: int
    hash: str


@dataclass
class ChainReport:
    agency_id: int
    events: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    def fail(self, event_id: int, reason: str) -> "ChainReport":
        self.broken_at, self.reason = event_id, reason
        return self


def verify_chain(agency_id: int, anchor: Anchor | None = None, batch: int = 5000) -> ChainReport:
    """Recompute every hash of the agency's chain in order; stop at the first broken link. With ``anchor``, the
    chain must also hold that event with that hash."""
    report = ChainReport(agency_id=agency_id, events=0)
    boundary = db.session.get(AuditLegacyBoundary, agency_id)
    legacy_until = boundary.last_legacy_event_id if boundary else 0
    if boundary is not None and boundary.mark != legacy_mark(agency_id, legacy_until):
        return report.fail(0, "the legacy boundary is not signed by the audit key (it was added or moved)")
    expected_prev, last_id, anchored = GENESIS_HASH, 0, anchor is None
    while True:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.agency_id == agency_id, AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch)
        )
        events = db.session.scalars(stmt).all()
        for event in events:
            reason = _link_problem(event, expected_prev, legacy=event.id <= legacy_until)
            if not reason and anchor is not None and event.id == anchor.event_id:
                reason, anchored = ("" if event.hash == anchor.hash else "differs from the checkpoint"), True
            if reason:
                return report.fail(event.id, reason)
            report.events += 1
            expected_prev, last_id = event.hash, event.id
        if len(events) < batch:
            break
    if not anchored:
        return report.fail(anchor.event_id, "the checkpoint's event is missing from the chain")
    return _check_head(report, agency_id, expected_prev, last_id)


def _link_problem(event: AuditEvent, expected_prev: str, *, legacy: bool) -> str:
    if event.prev_hash != expected_prev:
        return "previous-hash link broken (an event before it was removed or altered)"
    if event.hash not in _accepted_hashes(event, legacy):
        return "content does not match its hash (the event was edited)"
    return ""


def _accepted_hashes(event: AuditEvent, legacy: bool) -> tuple[str, ...]:
    """A legacy event may carry either hash (the key is no weaker); any later one only the keyed one."""
    keyed = event_hash(event)
    return (keyed, event_hash(event, keyed=False)) if legacy else (keyed,)


def _check_head(report: ChainReport, agency_id: int, last_hash: str, last_id: int) -> ChainReport:
    head = db.session.get(AuditChainHead, agency_id)
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_hash != last_hash:
        report.fail(last_id or 0, "chain head does not match the newest event (events were removed from the end)")
    return report
