"""The demo data: deterministic, idempotent, resettable, and shaped like real agency history."""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import Account, Activity, ActivityKind
from app.accounts.states import OPEN_STATUSES, Status, can_transition
from app.agencies.models import Agency
from app.audit.models import AuditEvent
from app.audit.verify import verify_chain
from app.auth.models import Role, User, UserSession
from app.auth.services import authenticate
from app.compliance import documents, holds
from app.compliance.models import ConsumerRequest, ContactAttempt, Outcome, RequestKind
from app.debtors.models import Debtor
from app.demo import seed_demo
from app.extensions import db
from app.imports.models import ImportJob, ImportRowError, JobStatus
from app.payments.models import APPLIED_STATUSES, Payment, PaymentStatus
from app.timeutil import utcnow

APEX, NORTHWIND = "apex-recovery", "northwind-credit"


@pytest.fixture
def seeded():
    """The demo seeded once; returns the summary it printed."""
    return seed_demo()


def agency(slug: str) -> Agency:
    return db.session.scalars(select(Agency).where(Agency.slug == slug)).one()


def accounts_of(slug: str) -> list[Account]:
    stmt = select(Account).where(Account.agency_id == agency(slug).id).order_by(Account.external_ref)
    return list(db.session.scalars(stmt))


def count(model, slug: str) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.agency_id == agency(slug).id))


def snapshot(slug: str) -> list[tuple]:
    """What a user would see of each account, without ids or absolute times."""
    return [
        (a.external_ref, a.status, a.original_amount, a.priority, a.debtor.full_name, a.creditor.name,
         a.assigned_collector and a.assigned_collector.username)
        for a in accounts_of(slug)
    ]  # fmt: skip


def audit_actions(slug: str) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.agency_id == agency(slug).id).order_by(AuditEvent.id)
    return list(db.session.scalars(stmt))


def timeline(account: Account) -> list[Activity]:
    stmt = select(Activity).where(Activity.account_id == account.id).order_by(Activity.created_at, Activity.id)
    return list(db.session.scalars(stmt))


def test_seed_creates_85_apex_accounts_covering_every_status(seeded):
    statuses = Counter(a.status for a in accounts_of(APEX))
    assert sum(statuses.values()) == 85
    assert set(statuses) == set(Status)
    assert agency(APEX).name == "Apex Recovery Solutions"
    assert (agency(APEX).license_number, agency(APEX).timezone, agency(APEX).currency) == (
        "DCA-2024-08812",
        "America/New_York",
        "USD",
    )
    assert "created" in seeded


IMPORT_EVENTS = ["import.received", "import.applied"] * 7


def test_seed_writes_one_audit_event_per_agency_then_its_imports_and_the_chain_verifies(seeded):
    assert audit_actions(APEX) == ["demo.seeded", *IMPORT_EVENTS]
    assert audit_actions(NORTHWIND) == ["demo.seeded"]
    for slug in (APEX, NORTHWIND):
        assert verify_chain(agency(slug).id).ok


def test_seed_runs_seven_real_imports_one_with_rejected_rows(seeded):
    jobs = db.session.scalars(select(ImportJob).where(ImportJob.agency_id == agency(APEX).id).order_by(ImportJob.id))
    jobs = list(jobs)
    assert len(jobs) == 7 and "demo imports: 7 files, 92 rows, 2 rejected" in seeded
    assert sum(job.total for job in jobs[:6]) == 85  # one refresh file per creditor: every account once
    assert all(job.status == JobStatus.COMPLETED and job.updated == job.total for job in jobs[:6])
    corrections = jobs[6]
    assert (corrections.status, corrections.total, corrections.ok, corrections.errors) == (
        JobStatus.COMPLETED_WITH_ERRORS,
        7,
        5,
        2,
    )
    rejected = db.session.scalars(select(ImportRowError).where(ImportRowError.job_id == corrections.id)).all()
    assert {error.line_no for error in rejected} == {7, 8}
    assert count(Account, APEX) == 85  # refreshes update the portfolio, they place no new accounts


def test_seed_records_at_least_160_payments_of_every_kind(seeded):
    statuses = Counter(db.session.scalars(select(Payment.status).where(Payment.agency_id == agency(APEX).id)))
    assert sum(statuses.values()) >= 160
    assert {PaymentStatus.COMPLETED, PaymentStatus.PENDING, PaymentStatus.FAILED} <= set(statuses)


def test_second_run_leaves_existing_agencies_untouched(seeded):
    before = {
        slug: (count(Account, slug), count(Activity, slug), count(AuditEvent, slug)) for slug in (APEX, NORTHWIND)
    }
    password_hash = authenticate("demo.admin", "Demo@2026").password_hash
    summary = seed_demo()
    assert authenticate("demo.admin", "Demo@2026").password_hash == password_hash
    after = {slug: (count(Account, slug), count(Activity, slug), count(AuditEvent, slug)) for slug in (APEX, NORTHWIND)}
    assert after == before
    assert summary.count("left untouched") == 2


def test_reset_rebuilds_the_same_accounts_and_audits_the_reset(seeded):
    before, agency_id, admin_id = snapshot(APEX), agency(APEX).id, authenticate("demo.admin", "Demo@2026").id
    summary = seed_demo(reset=True)
    assert summary.count("reset and rebuilt") == 2
    assert snapshot(APEX) == before
    assert (agency(APEX).id, authenticate("demo.admin", "Demo@2026").id) == (agency_id, admin_id)
    assert audit_actions(APEX) == ["demo.seeded", *IMPORT_EVENTS, "demo.reset", "demo.seeded", *IMPORT_EVENTS]
    assert verify_chain(agency(APEX).id).ok
    assert verify_chain(agency(NORTHWIND).id).ok


def test_reset_restores_demo_passwords_and_ends_sessions(seeded):
    admin = authenticate("demo.admin", "Demo@2026")
    admin.set_password("Changed-Password-1")
    admin.active = False
    db.session.add(UserSession(user_id=admin.id))
    db.session.commit()
    seed_demo(reset=True)
    assert authenticate("demo.admin", "Demo@2026").active
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_demo_logins_authenticate_with_their_roles(seeded):
    assert authenticate("demo.admin", "Demo@2026").role == Role.ADMIN
    assert authenticate("Sarah.Mitchell", "Collector@2026").role == Role.COLLECTOR
    assert authenticate("nw.admin", "Demo@2026").agency.slug == NORTHWIND
    assert authenticate("li.wei", "Collector@2026").agency.slug == NORTHWIND
    assert "demo.admin / Demo@2026" in seeded and "sarah.mitchell / Collector@2026" in seeded


def test_demo_agencies_do_not_require_mfa_and_demo_users_keep_their_passwords(seeded):
    for slug in (APEX, NORTHWIND):
        assert agency(slug).mfa_required is False
        users = db.session.scalars(select(User).where(User.agency_id == agency(slug).id)).all()
        assert users and not any(u.password_must_change for u in users)
        assert all(u.password_hash.startswith("$argon2id$") for u in users)


def test_collectors_have_their_demo_profiles(seeded):
    users = db.session.scalars(select(User).where(User.agency_id == agency(APEX).id, User.role == Role.COLLECTOR))
    rates = {u.username: str(u.collector_profile.commission_rate) for u in users}
    assert rates == {"sarah.mitchell": "0.1200", "james.carter": "0.1000", "maria.gonzalez": "0.1100",
                     "david.thompson": "0.1000"}  # fmt: skip


def test_timelines_spread_over_six_months(seeded):
    placed = [a.created_at for a in accounts_of(APEX)]
    assert max(placed) - min(placed) > timedelta(days=150)
    assert len(set(placed)) == len(placed)
    assert all(utcnow() - timedelta(days=181) < at < utcnow() - timedelta(hours=12) for at in placed)


def test_each_timeline_starts_with_the_placement_and_stays_in_order(seeded):
    now = utcnow()
    for account in accounts_of(APEX):
        entries = timeline(account)
        assert entries[0].kind == ActivityKind.IMPORT and entries[0].created_at == account.created_at
        assert entries[0].body.startswith(f"Placed by {account.creditor.name} in file ")
        times = [e.created_at for e in entries]
        assert times == sorted(set(times)) and times[-1] < now


def test_status_changes_follow_the_state_machine_to_the_account_status(seeded):
    for account in accounts_of(APEX):
        status = Status.NEW
        for entry in timeline(account):
            if entry.kind == ActivityKind.STATUS_CHANGE:
                new = Status(entry.details["new"])
                assert entry.details["old"] == status.value
                assert can_transition(status, new) or entry.details["system"] == "assignment"
                status = new
        assert status == account.status


def test_last_contact_is_the_latest_note_and_new_accounts_were_never_contacted(seeded):
    for account in accounts_of(APEX):
        notes = [e for e in timeline(account) if e.kind == ActivityKind.NOTE]
        assert account.last_contact_at == (notes[-1].created_at if notes else None)
        assert (account.status == Status.NEW) == (not notes)
        assert len(notes) <= 4


def test_balances_are_original_less_completed_plus_refunded_payments(seeded):
    for account in accounts_of(APEX):
        applied = db.session.scalars(
            select(Payment).where(Payment.account_id == account.id, Payment.status.in_(APPLIED_STATUSES))
        ).all()
        paid = sum((p.amount - p.refunded_amount for p in applied), Decimal("0.00"))
        assert account.current_balance == account.original_amount - paid >= 0
        assert account.current_balance > 0 or account.status in (Status.SETTLED, Status.CLOSED)
        assert account.original_amount.as_tuple().exponent == -2
        assert 0 <= account.priority <= 3
    assert any(a.due_date is None for a in accounts_of(APEX))


def test_every_worked_open_account_has_a_collector_within_capacity(seeded):
    open_per_collector = Counter()
    for account in accounts_of(APEX):
        if account.status in OPEN_STATUSES and account.status != Status.NEW:
            assert account.assigned_collector.role == Role.COLLECTOR
            open_per_collector[account.assigned_collector] += 1
        if account.status == Status.NEW:
            assert account.assigned_collector is None
    assert len(open_per_collector) == 4
    assert all(n <= c.collector_profile.max_open_accounts for c, n in open_per_collector.items())


def test_ssn_is_encrypted_at_rest_and_decrypts(seeded):
    rows = db.session.execute(select(Debtor.id, Debtor.ssn_last4_encrypted).where(Debtor.agency_id == agency(APEX).id))
    for debtor_id, stored in rows:
        clear = db.session.get(Debtor, debtor_id).ssn_last4
        assert len(clear) == 4 and clear.isdigit()
        assert stored != clear and stored.startswith("v2.")  # AES-GCM, bound to the debtor row


def test_some_debtors_own_two_accounts(seeded):
    per_debtor = Counter(a.debtor_id for a in accounts_of(APEX))
    assert sorted(per_debtor.values(), reverse=True)[:3] == [2, 2, 2]
    assert count(Debtor, APEX) == len(per_debtor)


def test_northwind_has_its_own_accounts_with_refs_that_overlap_apex(seeded):
    nw_refs = {a.external_ref for a in accounts_of(NORTHWIND)}
    assert len(nw_refs) == 20
    assert nw_refs <= {a.external_ref for a in accounts_of(APEX)}
    assert authenticate("omar.haddad", "Collector@2026").agency.slug == NORTHWIND


@pytest.mark.parametrize("slug", [APEX, NORTHWIND])
def test_accounts_only_reference_rows_of_their_own_agency(seeded, slug):
    own = agency(slug).id
    owners = defaultdict(set)
    for account in accounts_of(slug):
        owners["debtor"].add(account.debtor.agency_id)
        owners["creditor"].add(account.creditor.agency_id)
        if account.assigned_collector:
            owners["collector"].add(account.assigned_collector.agency_id)
    assert owners == {"debtor": {own}, "creditor": {own}, "collector": {own}}
    other = db.session.scalars(select(Account.agency_id).join(Debtor).where(Debtor.agency_id == own)).all()
    assert set(other) == {own}


def test_the_demo_has_accounts_at_each_compliance_limit(seeded):
    """7 call attempts this week, a conversation yesterday, a debtor in Hawaii, a cease request, a dispute on hold
    with its letter, an attorney; all through the real compliance records."""
    own = agency(APEX).id
    week_ago = utcnow() - timedelta(days=7)
    attempts = db.session.scalars(select(ContactAttempt).where(ContactAttempt.agency_id == own)).all()
    per_account = Counter(a.account_id for a in attempts if a.at > week_ago)
    assert 7 in per_account.values() and all(a.at < utcnow() for a in attempts)
    assert any(a.outcome == Outcome.RIGHT_PARTY and a.at > utcnow() - timedelta(days=2) for a in attempts)
    assert any(a.debtor.state == "HI" and a.status in OPEN_STATUSES for a in accounts_of(APEX))
    kinds = {r.kind: r for r in db.session.scalars(select(ConsumerRequest).where(ConsumerRequest.agency_id == own))}
    assert set(kinds) == {RequestKind.CEASE, RequestKind.ATTORNEY, RequestKind.DISPUTE}
    held = kinds[RequestKind.DISPUTE]
    assert held.hold and holds.on_hold(held.account_id) and b"I dispute this debt" in documents.read(held.document)
    assert db.session.get(Account, held.account_id).status == Status.DISPUTED
    assert kinds[RequestKind.ATTORNEY].details["attorney_name"] == "Leilani Brooks"
