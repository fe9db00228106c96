"""Re-importing: an identical row is recognised by its fingerprint and costs no write; any change is applied."""

from sqlalchemy import func, select

from app.accounts.models import Account, Activity
from app.imports.models import ImportBatch
from tests.imports.conftest import errors_of

HEADER = "external_ref,debtor_name,original_amount,debtor_email,due_date\n"


def _accounts(db, agency) -> dict[str, Account]:
    return {a.external_ref: a for a in db.session.scalars(select(Account).where(Account.agency_id == agency.id))}


def test_identical_rows_are_matched_without_writes_and_changed_rows_are_applied(import_csv, agency, db):
    rows = "".join(f"R{i},Name {i},{i + 10}.00,n{i}@example.com,2026-05-01\n" for i in range(120))
    first = import_csv(agency, HEADER + rows)
    stamps = {ref: (a.updated_at, a.import_fingerprint) for ref, a in _accounts(db, agency).items()}
    assert first.created == 120 and all(fp for _, fp in stamps.values())
    changed = rows.replace("R7,Name 7,17.00", "R7,Name 7,18.00").replace("n9@example.com", "new9@example.com")
    again = import_csv(agency, HEADER + changed)
    assert (again.total, again.created, again.updated, again.errors) == (120, 0, 120, 0)
    after = _accounts(db, agency)
    moved = {ref for ref, a in after.items() if (a.updated_at, a.import_fingerprint) != stamps[ref]}
    assert moved == {"R7", "R9"}
    assert after["R7"].original_amount == 18 and after["R9"].debtor.email == "new9@example.com"
    assert after["R9"].search_text == "r9 name 9 new9@example.com"
    assert (
        db.session.scalar(select(func.count()).where(Activity.agency_id == agency.id)) == 121
    )  # 120 imports + 1 adjustment


def test_a_row_that_matches_the_stored_fingerprint_is_still_checked_for_repeats(import_csv, agency, db):
    import_csv(agency, HEADER + "R1,Ann,10.00,,\n")
    job = import_csv(agency, HEADER + "R1,Ann,10.00,,\nR1,Ann,10.00,,\n")
    assert errors_of(job) == [(3, "external_ref", "repeats the reference already given on line 2")]
    assert (job.updated, job.errors) == (1, 1)


def test_a_repeat_far_from_its_first_line_is_caught_across_batches(import_csv, agency, db):
    rows = [f"R{i},Name {i},{i + 1}.00,," for i in range(180)]
    rows.append("R3,Late Repeat,99.00,,")
    job = import_csv(agency, HEADER + "\n".join(rows) + "\n")  # batches of 50 rows in tests
    assert errors_of(job) == [(182, "external_ref", "repeats the reference already given on line 5")]
    assert _accounts(db, agency)["R3"].debtor.full_name == "Name 3"
    assert db.session.scalar(select(func.count()).where(ImportBatch.job_id == job.id)) == 4


def test_an_invalid_first_occurrence_does_not_block_a_valid_later_one(import_csv, agency, db):
    job = import_csv(agency, HEADER + "R1,Ann,oops,,\nR1,Ann,10.00,,\n")
    assert errors_of(job) == [(2, "original_amount", "must be a positive decimal with at most 2 decimal places")]
    assert job.created == 1


def test_an_unchanged_row_repeated_in_a_later_batch_is_rejected_there(import_csv, agency, db):
    rows = [f"R{i},Name {i},{i + 1}.00,," for i in range(180)]
    import_csv(agency, HEADER + "\n".join(rows) + "\n")
    job = import_csv(agency, HEADER + "\n".join([*rows, rows[3]]) + "\n")  # line 182 repeats line 5, both unchanged
    assert errors_of(job) == [(182, "external_ref", "repeats the reference already given on line 5")]
    assert (job.total, job.created, job.updated, job.errors) == (181, 0, 180, 1)


def test_batches_with_nothing_to_apply_share_one_checkpoint(import_csv, agency, db):
    rows = [f"R{i},Name {i},{i + 1}.00,," for i in range(180)]  # batches of 50 rows in tests: 4 batches
    import_csv(agency, HEADER + "\n".join(rows) + "\n")
    unchanged = import_csv(agency, HEADER + "\n".join(rows) + "\n\n")
    rows[120] = "R120,Name 120,999.00,,"  # the third batch now has a row to apply
    one_change = import_csv(agency, HEADER + "\n".join(rows) + "\n")

    def ranges(job):
        stmt = select(ImportBatch.first_line, ImportBatch.last_line).where(ImportBatch.job_id == job.id)
        return sorted(db.session.execute(stmt).all())

    assert ranges(unchanged) == [(2, 181)] and (unchanged.total, unchanged.updated) == (180, 180)
    assert ranges(one_change) == [(2, 101), (102, 151), (152, 181)]
    assert _accounts(db, agency)["R120"].original_amount == 999
