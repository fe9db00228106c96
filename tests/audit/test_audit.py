"""The audit trail: who/what/where on every change, hash-chained, append-only on PostgreSQL."""

import threading

import pytest
from sqlalchemy import select, text, update

from app import create_app
from app.accounts import services as account_services
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.audit.verify import verify_chain
from app.config import test_config as make_test_config
from app.extensions import db
from tests import factories as f


def events_of(agency):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.agency_id == agency.id).order_by(AuditEvent.id)).all()


def test_event_records_actor_fields_ip_and_request_id(login, admin, collector, assigned_account, client, monkeypatch):
    monkeypatch.setitem(client.application.config, "TRUST_REQUEST_ID", True)  # the request id a proxy gave
    web = login(collector)
    web.client.post(
        f"/accounts/{assigned_account.id}/status",
        data={"status": "in_contact", "csrf_token": web.csrf()},
        headers={"X-Request-ID": "req-abc-123"},
    )
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.status_changed").order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == collector.id and event.agency_id == assigned_account.agency_id
    assert event.entity_type == "account" and event.entity_id == str(assigned_account.id)
    assert event.changes == {"status": {"old": "assigned", "new": "in_contact"}}
    assert event.ip == "127.0.0.1" and event.request_id == "req-abc-123"


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(database_url, agency, admin):
    headers, username, agency_id = {"X-Forwarded-For": "203.0.113.9"}, admin.username, agency.id
    db.session.commit()  # a second app's context teardown closes the session; keep the fixtures' rows
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = create_app({**make_test_config(database_url), "TRUSTED_PROXY_COUNT": proxies, "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        client.post("/login", data={"username": username, "password": f.PASSWORD}, headers=headers)
        last_ip = db.session.scalars(
            select(AuditEvent.ip).where(AuditEvent.agency_id == agency_id).order_by(AuditEvent.id.desc())
        ).first()
        assert last_ip == expected


def test_chain_links_each_event_to_the_previous_one(assigned_account, admin, collector, agency):
    account_services.add_note(assigned_account.id, "note", actor=collector)
    events = events_of(agency)
    assert len(events) >= 3
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert verify_chain(agency.id).ok


def test_agencies_have_separate_chains(assigned_account, agency, foreign):
    assert verify_chain(agency.id).ok and verify_chain(foreign.agency.id).ok
    assert events_of(foreign.agency)[0].prev_hash == "0" * 64


def _bypass_guard(is_postgres):
    """Tamper as an attacker with direct database access would, getting past the append-only triggers.

    Both ways are undone when the test's transaction rolls back.
    """
    if is_postgres:
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_verify_finds_an_edited_event(assigned_account, agency, is_postgres):
    target = events_of(agency)[1]
    _bypass_guard(is_postgres)
    db.session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(action="account.viewed"))
    db.session.expire_all()
    report = verify_chain(agency.id)
    assert not report.ok and report.broken_at == target.id and "edited" in report.reason


def test_verify_finds_a_removed_event(assigned_account, agency, is_postgres):
    events = events_of(agency)
    _bypass_guard(is_postgres)
    db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.id == events[0].id))
    db.session.expire_all()
    report = verify_chain(agency.id)
    assert report.broken_at == events[1].id and "removed" in report.reason


def test_verify_finds_events_cut_from_the_end(assigned_account, agency, is_postgres):
    last = events_of(agency)[-1]
    _bypass_guard(is_postgres)
    db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.id == last.id))
    db.session.expire_all()
    assert "chain head" in verify_chain(agency.id).reason


def test_cli_verify_exits_nonzero_on_a_broken_chain(app, assigned_account, agency, is_postgres):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify", "--agency", agency.slug])
    assert ok.exit_code == 0 and "OK" in ok.output
    _bypass_guard(is_postgres)
    db.session.execute(update(AuditEvent).where(AuditEvent.agency_id == agency.id).values(entity_id="0"))
    db.session.expire_all()
    broken = runner.invoke(args=["audit", "verify", "--agency", agency.slug])
    assert broken.exit_code == 1 and "BROKEN at event" in broken.output


def test_database_refuses_update_and_delete_of_audit_events(assigned_account, agency, is_postgres):
    from sqlalchemy.exc import DBAPIError

    statements = [
        update(AuditEvent).where(AuditEvent.agency_id == agency.id).values(action="x"),
        AuditEvent.__table__.delete().where(AuditEvent.agency_id == agency.id),
    ]
    if is_postgres:
        statements.append(text("TRUNCATE audit_events CASCADE"))
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            with db.session.begin_nested():
                db.session.execute(statement)


def test_concurrent_writers_cannot_fork_an_agency_chain(app, committed_session):
    """Eight threads append to one agency's chain at once, each on its own connection."""
    agency_id = f.AgencyFactory().id
    committed_session.commit()
    committed_session.close()  # hold no transaction (on SQLite, no write lock) while the threads run
    threads = [threading.Thread(target=_append, args=(app, agency_id, n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    prev_hashes = committed_session.scalars(select(AuditEvent.prev_hash).where(AuditEvent.agency_id == agency_id))
    assert len(set(prev_hashes.all())) == 8
    report = verify_chain(agency_id)
    assert report.ok and report.events == 8


def _append(app, agency_id: int, n: int) -> None:
    with app.app_context():  # the audit key comes from the app's config
        try:
            audit.record(None, agency_id, "race.append", "agency", n, {"n": {"old": None, "new": n}})
            db.session.commit()
        finally:
            db.session.remove()
