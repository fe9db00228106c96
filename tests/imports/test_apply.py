"""Applying rows: upserts by (agency, ref), re-import never resets work, one audit event per file."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts import services as account_services
from app.accounts.models import Account, Activity, ActivityKind
from app.accounts.states import Status
from app.audit.models import AuditEvent
from app.debtors.models import Debtor
from app.imports.models import JobStatus
from tests import factories as f

BASIC = "external_ref,debtor_name,original_amount,debtor_email,due_date,creditor_name\n"


def _account(db, agency, ref) -> Account:
    return db.session.scalars(select(Account).where(Account.agency_id == agency.id, Account.external_ref == ref)).one()


def test_reimport_keeps_status_assignment_notes_and_balance(import_csv, agency, admin, collector, db):
    import_csv(agency, BASIC + "R1,Ann Lee,1000.00,ann@example.com,2026-01-31,Acme\n")
    account = _account(db, agency, "R1")
    f.walk_to(account, Status.IN_CONTACT, admin=admin, collector=collector)
    account_services.add_note(account.id, "Promised to pay", actor=collector)
    account.current_balance = Decimal("400.00")  # as if 600 had been paid
    db.session.commit()
    job = import_csv(agency, BASIC + "R1,Ann Lee-Smith,1000.00,ann.smith@example.com,2026-02-28,Other Bank\n")
    db.session.refresh(account)
    assert (job.created, job.updated) == (0, 1)
    assert account.status == Status.IN_CONTACT and account.assigned_collector_id == collector.id
    assert account.current_balance == Decimal("400.00")
    assert account.debtor.full_name == "Ann Lee-Smith" and account.creditor.name == "Other Bank"
    assert account.search_text == "r1 ann lee-smith ann.smith@example.com"
    kinds = db.session.scalars(select(Activity.kind).where(Activity.account_id == account.id)).all()
    assert kinds.count(ActivityKind.NOTE) == 1 and kinds.count(ActivityKind.IMPORT) == 1


def test_changed_original_amount_moves_balance_by_delta_on_the_timeline(import_csv, agency, db):
    import_csv(agency, BASIC + "R1,Ann,1000.00,,,\n")
    account = _account(db, agency, "R1")
    account.current_balance = Decimal("400.00")
    db.session.commit()
    import_csv(agency, BASIC + "R1,Ann,1250.00,,,\n")
    db.session.refresh(account)
    assert (account.original_amount, account.current_balance) == (Decimal("1250.00"), Decimal("650.00"))
    entry = db.session.scalars(select(Activity).where(Activity.kind == ActivityKind.ADJUSTMENT)).one()
    assert entry.details["delta"] == "250.00" and "1000.00 to 1250.00" in entry.body


def test_reduction_larger_than_balance_stops_at_zero(import_csv, agency, db):
    import_csv(agency, BASIC + "R1,Ann,1000.00,,,\n")
    account = _account(db, agency, "R1")
    account.current_balance = Decimal("100.00")
    db.session.commit()
    import_csv(agency, BASIC + "R1,Ann,500.00,,,\n")
    db.session.refresh(account)
    assert account.current_balance == Decimal("0.00")


def test_empty_optional_cells_keep_stored_values(import_csv, agency, db):
    import_csv(agency, BASIC + "R1,Ann,10,ann@example.com,2026-01-31,Acme\n")
    import_csv(agency, BASIC + "R1,Ann,10,,,\n")
    account = _account(db, agency, "R1")
    assert account.debtor.email == "ann@example.com" and account.creditor.name == "Acme"
    assert account.due_date.isoformat() == "2026-01-31"


def test_same_ref_in_two_agencies_stays_two_accounts(import_csv, agency, foreign, db):
    import_csv(agency, BASIC + "R1,Ann,10,,,\n")
    import_csv(foreign.agency, BASIC + "R1,Mallory,99,,,\n")
    mine, theirs = _account(db, agency, "R1"), _account(db, foreign.agency, "R1")
    assert mine.id != theirs.id and mine.debtor.full_name == "Ann" and mine.original_amount == 10
    assert theirs.debtor.agency_id == foreign.agency.id


def test_foreign_agency_file_cannot_touch_an_existing_account(import_csv, agency, foreign, db):
    ref = foreign.account.external_ref
    import_csv(agency, BASIC + f"{ref},Mallory,5,,,\n")
    db.session.refresh(foreign.account)
    assert foreign.account.agency_id == foreign.agency.id and foreign.account.status == Status.IN_CONTACT
    assert foreign.account.original_amount == Decimal("1000.00")


def test_debtor_ref_shares_one_debtor(import_csv, agency, db):
    text = "external_ref,debtor_name,original_amount,debtor_ref\nR1,Ann,10,C-1\nR2,Ann,20,C-1\nR3,Bob,5,\n"
    import_csv(agency, text)
    assert _account(db, agency, "R1").debtor_id == _account(db, agency, "R2").debtor_id
    assert db.session.scalar(select(func.count()).select_from(Debtor).where(Debtor.agency_id == agency.id)) == 2


def test_one_audit_event_per_applied_file(import_csv, agency, admin, db):
    rows = "".join(f"R{i},Name {i},{i + 1},,,\n" for i in range(120))
    job = import_csv(agency, BASIC + rows, actor=admin)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.applied")).all()
    assert len(events) == 1 and events[0].changes["created"] == 120 and events[0].actor_id == admin.id
    assert events[0].changes["sha256"] == job.sha256


def test_same_content_twice_is_a_duplicate(import_csv, agency, db):
    first = import_csv(agency, BASIC + "R1,Ann,10,,,\n", name="a.csv")
    second = import_csv(agency, BASIC + "R1,Ann,10,,,\n", name="b.csv")
    assert second.status == JobStatus.DUPLICATE and second.duplicate_of_id == first.id
    assert "not applied again" in second.message


def test_imported_ssns_are_bound_to_their_debtor_rows(import_csv, agency, db):
    """Ids are allocated before COPY, so each value is encrypted for its row; an existing shared debtor keeps its
    own id (a value bound to the id allocated for it would not decrypt)."""
    from app import crypto

    header = "external_ref,debtor_name,original_amount,debtor_ssn_last4,debtor_ref\n"
    import_csv(agency, header + "R1,Ann,10,1111,\nR2,Bob,20,2222,D1\n", name="a.csv")
    import_csv(agency, header + "R3,Bob,30,4444,D1\nR4,Cy,40,5555,D2\nR5,Cy,50,6666,D2\n", name="b.csv")
    shared = _account(db, agency, "R3").debtor
    assert shared.id == _account(db, agency, "R2").debtor.id and shared.ssn_last4 == "4444"
    assert _account(db, agency, "R4").debtor.ssn_last4 == "6666"  # the batch's last line for D2 wins
    first, second = _account(db, agency, "R1").debtor, _account(db, agency, "R4").debtor
    assert first.ssn_last4 == "1111"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(first.ssn_last4_encrypted, crypto.associated_data("debtors", "ssn_last4_encrypted", second.id))


def test_reimport_with_ssn_touches_only_its_own_debtors(import_csv, agency, foreign, db):
    header = "external_ref,debtor_name,original_amount,debtor_ssn_last4\n"
    import_csv(agency, header + "R1,Ann,10,1111\nR2,Bob,20,2222\n")
    import_csv(agency, header + "R1,Ann,10,3333\n")
    db.session.refresh(foreign.account.debtor)
    assert foreign.account.debtor.ssn_last4 != "3333" and foreign.account.debtor.full_name != "Ann"
    assert _account(db, agency, "R2").debtor.ssn_last4 == "2222"
    assert _account(db, agency, "R1").debtor.ssn_last4 == "3333"
