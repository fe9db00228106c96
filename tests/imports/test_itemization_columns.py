"""The placement file's itemization columns: validated like the others, written on both databases, updated by a
re-import, kept when a later file leaves them empty, and absent files cost nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import Account
from app.compliance.models import Itemization, ReferenceDate
from app.imports.parsing import Header
from app.imports.schemas import REFERENCE_DATES
from app.imports.validation import RowValidator
from tests.imports.conftest import ITEMIZED_HEADER as HEAD
from tests.imports.conftest import errors_of

GOOD = "R1,Ann Lee,1000.00,2026-06-30,charge_off,950.00,40.00,15.00,5.00,First Bank,Retail Card\n"


def _itemization(db, agency, ref: str) -> Itemization | None:
    stmt = select(Itemization).join(Account, Account.id == Itemization.account_id)
    return db.session.scalars(stmt.where(Account.agency_id == agency.id, Account.external_ref == ref)).first()


def test_the_five_reference_dates_are_the_models():
    assert REFERENCE_DATES == tuple(r.value for r in ReferenceDate)


def test_a_placement_carries_its_itemization(app_role, import_csv, agency, db):
    job = import_csv(agency, HEAD + GOOD + "R2,Bo Ek,20.00,2026-01-05,last_payment,20,,,,Second Bank,\n")
    assert (job.created, job.errors) == (2, 0)
    first = _itemization(db, agency, "R1")
    assert first.reference == ReferenceDate.CHARGE_OFF and first.itemization_date == date(2026, 6, 30)
    assert (first.amount_on_date, first.interest, first.fees, first.payments_credits) == (
        Decimal("950.00"), Decimal("40.00"), Decimal("15.00"), Decimal("5.00"),
    )  # fmt: skip
    assert (first.creditor_on_date, first.original_creditor) == ("First Bank", "Retail Card")
    second = _itemization(db, agency, "R2")
    assert (second.interest, second.fees, second.payments_credits) == (Decimal(0), Decimal(0), Decimal(0))
    assert second.original_creditor is None


def test_a_reimport_updates_it_and_empty_cells_keep_it(import_csv, agency, db):
    import_csv(agency, HEAD + GOOD)
    import_csv(agency, HEAD + "R1,Ann Lee,1000.00,2026-07-31,last_statement,1000.00,,,,Third Bank,\n")
    itemization = _itemization(db, agency, "R1")
    db.session.refresh(itemization)
    assert itemization.reference == ReferenceDate.LAST_STATEMENT and itemization.amount_on_date == Decimal(1000)
    assert itemization.creditor_on_date == "Third Bank" and itemization.original_creditor == "Retail Card"
    job = import_csv(agency, HEAD + "R1,Ann Lee,1000.00,,,,,,,,\n")  # empty cells: nothing erased
    assert job.errors == 0
    db.session.refresh(itemization)
    assert itemization.creditor_on_date == "Third Bank"


def test_a_file_without_the_columns_writes_none_and_keeps_what_is_stored(import_csv, agency, db):
    import_csv(agency, HEAD + GOOD)
    job = import_csv(agency, "external_ref,debtor_name,original_amount\nR1,Ann Lee,1000.00\nR3,Cy Do,5.00\n")
    assert job.errors == 0 and _itemization(db, agency, "R1").creditor_on_date == "First Bank"
    assert _itemization(db, agency, "R3") is None


def test_rows_of_a_file_without_the_columns_have_no_itemization_keys():
    plain = RowValidator(Header.parse(["external_ref", "debtor_name", "original_amount"]))
    data, errors = plain.load(["R1", "Ann", "10"])
    assert not errors and not any(key.startswith("itemization") for key in data)
    itemized = RowValidator(Header.parse(HEAD.strip().split(",")))
    assert "itemization_date" in itemized.load(GOOD.strip().split(","))[0]


TOMORROW = (date.today() + timedelta(days=1)).isoformat()
BAD = [
    ("itemization_date", "2026-02-30", "is not a real calendar date"),
    ("itemization_date", "06/30/2026", "must be a date written YYYY-MM-DD"),
    ("itemization_date", "1899-12-31", "is before 1900"),
    ("itemization_date", TOMORROW, "is in the future"),
    ("itemization_reference", "charged off", "must be one of last_statement, charge_off, last_payment, transaction"),
    ("itemization_amount", "100000000.01", "is larger than the maximum of 100,000,000.00"),
    ("itemization_amount", "0", "must be greater than zero"),
    ("itemization_interest", "-4", "must not be negative"),
    ("itemization_fees", "1e9", "must be a positive decimal with at most 2 decimal places"),
    ("itemization_payments_credits", "12.345", "must be a positive decimal with at most 2 decimal places"),
    ("itemization_creditor", "b" * 201, "is longer than 200 characters"),
    ("original_creditor", "Card 4111 1111 1111 1111", "card number"),
    ("itemization_creditor", "Bank\x00", "contains a NUL character, which cannot be stored"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BAD)])
def test_a_bad_cell_is_a_row_error_and_writes_nothing(import_csv, agency, db, column, value, message):
    names = HEAD.strip().split(",")
    cells = GOOD.strip().split(",")
    cells[names.index(column)] = value
    job = import_csv(agency, HEAD + ",".join(cells) + "\n")
    assert job.errors == 1 and job.created == 0
    ((line, where, text),) = errors_of(job)
    assert (line, where) == (2, column) and message in text, text
    assert db.session.scalar(select(func.count()).select_from(Itemization)) == 0


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("R1,Ann,1000.00,,charge_off,1000.00,,,,First Bank,", "itemization_date", "is required when the row"),
        ("R1,Ann,1000.00,2026-06-30,,1000.00,,,,First Bank,", "itemization_reference", "is required when"),
        ("R1,Ann,1000.00,,,,,,,,Retail Card", "itemization_amount", "is required when the row carries"),
        (
            "R1,Ann,1000.00,2026-06-30,charge_off,950.00,40.00,,,First Bank,",
            "itemization_amount",
            "the itemization adds up to 990.00, not to the original amount 1000.00",
        ),
    ],
)
def test_an_incomplete_or_inconsistent_itemization_is_a_row_error(import_csv, agency, row, column, message):
    job = import_csv(agency, HEAD + row + "\n")
    assert job.errors == 1
    assert any(where == column and message in text for _, where, text in errors_of(job)), errors_of(job)
