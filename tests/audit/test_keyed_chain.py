"""The audit chain resists its own database owner: keyed hashes, a MAC'd legacy boundary, signed checkpoints."""

import hashlib
import hmac
import json

from sqlalchemy import select, text, update

from app.accounts import services as account_services
from app.audit import services as audit
from app.audit.checkpoint import CheckpointInvalid, load_checkpoint, write_checkpoint
from app.audit.models import AuditChainHead, AuditEvent, AuditLegacyBoundary
from app.audit.verify import verify_chain
from app.extensions import db
from tests.audit.test_audit import events_of


def disable_guard(is_postgres):
    """As the superuser would: switch the append-only trigger off (undone when the test's transaction rolls back)."""
    if is_postgres:
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))


def unkeyed(event) -> str:
    return audit.event_hash(event, keyed=False)


def guessed_key(event) -> str:
    return hmac.new(b"not the key", audit._canonical(event), hashlib.sha256).hexdigest()


def rewrite_and_recompute(agency, target_id: int, scheme, **values) -> None:
    """Edit one event, then recompute every later hash and link with ``scheme`` and move the head to the end."""
    if values:
        db.session.execute(update(AuditEvent).where(AuditEvent.id == target_id).values(**values))
        db.session.expire_all()
    events = events_of(agency)
    prev = next((e.hash for e in reversed(events) if e.id < target_id), "0" * 64)
    for event in (e for e in events if e.id >= target_id):
        event.prev_hash = prev
        event.hash = prev = scheme(event)
        db.session.execute(
            update(AuditEvent).where(AuditEvent.id == event.id).values(prev_hash=event.prev_hash, hash=event.hash)
        )
    db.session.execute(update(AuditChainHead).where(AuditChainHead.agency_id == agency.id).values(last_hash=prev))
    db.session.expire_all()


def test_a_rewrite_recomputed_without_the_key_fails_to_verify(app, assigned_account, agency, is_postgres):
    target = events_of(agency)[1]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify", "--agency", agency.slug]).exit_code == 0
    disable_guard(is_postgres)
    for scheme in (unkeyed, guessed_key):  # the old SHA-256 scheme, and an HMAC under a key the attacker guessed
        rewrite_and_recompute(agency, target.id, scheme, entity_id="forged")
        report = verify_chain(agency.id)
        assert not report.ok and report.broken_at == target.id and "edited" in report.reason
        result = runner.invoke(args=["audit", "verify", "--agency", agency.slug])
        assert result.exit_code == 1 and f"BROKEN at event {target.id}" in result.output


def test_the_same_rewrite_with_the_key_verifies_so_the_key_is_what_protects_it(assigned_account, agency, is_postgres):
    target = events_of(agency)[1]
    disable_guard(is_postgres)
    rewrite_and_recompute(agency, target.id, audit.event_hash, entity_id="forged")
    assert verify_chain(agency.id).ok


def legacy_chain(agency, count: int) -> list[AuditEvent]:
    """Events hashed with plain SHA-256, as before the chain was keyed, and the boundary migration 0017 writes."""
    events = [audit.record(None, agency.id, "legacy.event", "agency", n) for n in range(count)]
    prev = "0" * 64
    for event in events:
        event.prev_hash = prev
        event.hash = prev = unkeyed(event)
    db.session.flush()
    head = db.session.get(AuditChainHead, agency.id)
    head.last_hash = prev
    boundary = AuditLegacyBoundary(agency_id=agency.id, last_legacy_event_id=events[-1].id)
    boundary.mark = audit.legacy_mark(agency.id, events[-1].id)
    db.session.add(boundary)
    db.session.flush()
    return events


def test_legacy_events_verify_and_later_ones_are_keyed(agency, is_postgres):
    disable_guard(is_postgres)  # the legacy hashes are written after insert
    legacy = legacy_chain(agency, 3)
    later = audit.record(None, agency.id, "keyed.event", "agency", 1)
    db.session.flush()
    assert later.prev_hash == legacy[-1].hash and later.hash == audit.event_hash(later) != unkeyed(later)
    assert verify_chain(agency.id).ok


def test_moving_or_adding_a_legacy_boundary_to_cover_a_rewrite_fails(agency, is_postgres):
    disable_guard(is_postgres)
    legacy = legacy_chain(agency, 2)
    later = [audit.record(None, agency.id, "keyed.event", "agency", n) for n in range(3)]
    db.session.flush()
    rewrite_and_recompute(agency, later[1].id, unkeyed, entity_id="forged")
    boundary = db.session.get(AuditLegacyBoundary, agency.id)
    boundary.last_legacy_event_id = later[-1].id  # claim the rewritten events are legacy ones
    db.session.flush()
    report = verify_chain(agency.id)
    assert not report.ok and "legacy boundary" in report.reason
    db.session.delete(boundary)  # without a boundary, every event must be keyed
    db.session.flush()
    report = verify_chain(agency.id)
    assert not report.ok and report.broken_at == legacy[0].id


def test_a_chain_without_a_boundary_accepts_no_unkeyed_event(assigned_account, agency, is_postgres):
    first = events_of(agency)[0]
    disable_guard(is_postgres)
    rewrite_and_recompute(agency, first.id, unkeyed)  # content unchanged, hashes downgraded to SHA-256
    assert verify_chain(agency.id).broken_at == first.id


def test_checkpoint_then_verify_against_it(app, assigned_account, agency, tmp_path):
    path = write_checkpoint(str(tmp_path))
    anchors = load_checkpoint(path)
    head = db.session.get(AuditChainHead, agency.id)
    assert anchors[agency.id].event_id == head.last_event_id and anchors[agency.id].hash == head.last_hash
    account_services.add_note(assigned_account.id, "after the checkpoint", actor=assigned_account.assigned_collector)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--agency", agency.slug, "--against", str(path)])
    assert result.exit_code == 0 and "OK" in result.output


def test_the_cli_writes_a_checkpoint_under_the_configured_directory(app, assigned_account):
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and app.config["AUDIT_CHECKPOINT_DIR"] in result.output
    written = result.output.split("checkpoint written: ")[1].strip()
    assert load_checkpoint(written)


def test_verify_against_a_checkpoint_finds_a_chain_rebuilt_with_the_key(
    app, assigned_account, agency, is_postgres, tmp_path
):
    """Even someone holding the key cannot rewrite what a checkpoint already published."""
    path = write_checkpoint(str(tmp_path))
    target = events_of(agency)[0]
    disable_guard(is_postgres)
    rewrite_and_recompute(agency, target.id, audit.event_hash, entity_id="forged")
    assert verify_chain(agency.id).ok  # the key alone would not tell
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--agency", agency.slug, "--against", str(path)])
    assert result.exit_code == 1 and "differs from the checkpoint" in result.output


def test_verify_against_a_checkpoint_finds_events_cut_from_the_end(
    app, assigned_account, agency, is_postgres, tmp_path
):
    path = write_checkpoint(str(tmp_path))
    events = events_of(agency)
    disable_guard(is_postgres)
    db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.id == events[-1].id))
    head = db.session.get(AuditChainHead, agency.id)
    head.last_hash, head.last_event_id = events[-2].hash, events[-2].id  # the head moved back to match
    db.session.flush()
    assert verify_chain(agency.id).ok
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--agency", agency.slug, "--against", str(path)])
    assert result.exit_code == 1 and "missing from the chain" in result.output


def test_an_altered_checkpoint_is_refused(app, assigned_account, agency, tmp_path):
    path = write_checkpoint(str(tmp_path))
    document = json.loads(path.read_text())
    document["heads"][str(agency.id)]["hash"] = "f" * 64
    path.write_text(json.dumps(document))
    try:
        load_checkpoint(path)
        raise AssertionError("an altered checkpoint was accepted")
    except CheckpointInvalid as exc:
        assert "signature" in str(exc)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--against", str(path)])
    assert result.exit_code == 1 and "checkpoint refused" in result.output
    (tmp_path / "junk.json").write_text("not json")
    assert (
        app.test_cli_runner().invoke(args=["audit", "verify", "--against", str(tmp_path / "junk.json")]).exit_code == 1
    )


def test_the_periodic_job_writes_a_checkpoint(app, assigned_account, agency):
    from jobs.audit import write_audit_checkpoint

    path = write_audit_checkpoint()
    assert load_checkpoint(path)[agency.id].event_id == db.session.scalar(
        select(AuditChainHead.last_event_id).where(AuditChainHead.agency_id == agency.id)
    )
