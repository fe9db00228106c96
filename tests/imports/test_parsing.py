"""The corpus of bad files and rows: every rule names the physical line, the column and the rule."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Account
from app.imports.models import JobStatus
from tests.imports.conftest import HEADER, errors_of


def test_valid_file_creates_accounts_with_all_fields(import_csv, agency, db):
    text = HEADER + "\nR1,Ann Lee,120.50,1234,ann@example.com,555-0100,2026-03-31,Acme Bank,credit_card\n"
    job = import_csv(agency, text)
    assert (job.status, job.total, job.created, job.errors) == (JobStatus.COMPLETED, 1, 1, 0)
    account = db.session.scalars(select(Account).where(Account.external_ref == "R1")).one()
    assert account.original_amount == account.current_balance == Decimal("120.50")
    assert account.creditor.name == "Acme Bank" and account.account_type == "credit_card"
    assert account.debtor.ssn_last4 == "1234" and account.debtor.email == "ann@example.com"
    assert account.search_text == "r1 ann lee ann@example.com"


@pytest.mark.parametrize(
    "row, column, message",
    [
        (",Ann,10", "external_ref", "is required"),
        ("R1,   ,10", "debtor_name", "is required"),
        ("R1,Ann,", "original_amount", "is required"),
        ("R1,Ann,abc", "original_amount", "must be a positive decimal with at most 2 decimal places"),
        ("R1,Ann,10.005", "original_amount", "must be a positive decimal with at most 2 decimal places"),
        ("R1,Ann,-5", "original_amount", "must be greater than zero"),
        ("R1,Ann,0.00", "original_amount", "must be greater than zero"),
        ("R1,Ann,1e5", "original_amount", "must be a positive decimal with at most 2 decimal places"),
        ("R1,Ann,999999999999", "original_amount", "is larger than the maximum of 100,000,000.00"),
        ("R1,Ann,10,,,,2026-02-30", "due_date", "is not a real calendar date"),
        ("R1,Ann,10,,,,31/01/2026", "due_date", "must be a date written YYYY-MM-DD"),
        ("R1,Ann,10,,not-an-email", "debtor_email", "is not a valid email address"),
        ("R1,Ann,10,123", "debtor_ssn_last4", "must be exactly 4 digits"),
        ("R1,Ann,10,12345", "debtor_ssn_last4", "must be exactly 4 digits"),
    ],
)
def test_each_rule_names_line_column_and_rule(import_csv, agency, row, column, message):
    cells = row.split(",")
    padded = ",".join(cells + [""] * (9 - len(cells)))
    job = import_csv(agency, f"{HEADER}\nOK1,Good,1,,,,,,\n{padded}\n")
    assert errors_of(job) == [(3, column, message)]
    assert (job.created, job.errors, job.status) == (1, 1, JobStatus.COMPLETED_WITH_ERRORS)


def test_error_never_echoes_the_ssn(import_csv, agency, db):
    job = import_csv(agency, "external_ref,debtor_name,original_amount,debtor_ssn_last4\nR1,Ann,10,123-45-6789\n")
    assert all("6789" not in message for _, _, message in errors_of(job))


def test_field_count_errors(import_csv, agency):
    text = "external_ref,debtor_name,original_amount\nR1,Ann\nR2,Bob,5,extra\nR3,Cy,6\n"
    job = import_csv(agency, text)
    assert errors_of(job) == [
        (2, "", "too few fields: expected 3, found 2"),
        (3, "", "too many fields: expected 3, found 4"),
    ]
    assert job.created == 1


def test_repeated_ref_rejects_the_later_occurrence(import_csv, agency, db):
    job = import_csv(agency, "external_ref,debtor_name,original_amount\nR1,First,10\nR1,Second,20\n")
    assert errors_of(job) == [(3, "external_ref", "repeats the reference already given on line 2")]
    assert db.session.scalars(select(Account).where(Account.external_ref == "R1")).one().original_amount == 10


def test_physical_line_numbers_count_blank_lines_and_quoted_newlines(import_csv, agency):
    text = 'external_ref,debtor_name,original_amount\r\n\r\nR1,"Ann\nMulti, Line",10\r\nR2,Bob,bad\r\n'
    job = import_csv(agency, text)
    assert errors_of(job) == [(5, "original_amount", "must be a positive decimal with at most 2 decimal places")]


def test_headers_match_loosely_in_any_order_and_unknown_are_listed(import_csv, agency, db):
    text = " Original_Amount ,Debtor Name,EXTERNAL_REF,Shoe Size\n 10.00 , Ann  ,R1,42\n"
    job = import_csv(agency, text)
    assert (job.created, job.unknown_columns) == (1, ["Shoe Size"])
    assert db.session.scalars(select(Account).filter_by(agency_id=agency.id)).one().debtor.full_name == "Ann"


def test_missing_required_column_fails_the_file_with_one_message(import_csv, agency):
    job = import_csv(agency, "external_ref,debtor_name\nR1,Ann\n")
    assert job.status == JobStatus.FAILED
    assert job.message == "Missing required column(s): original_amount (line 1 is the header)."
    assert errors_of(job) == []


def test_empty_file_fails_clearly(import_csv, agency):
    job = import_csv(agency, "\n\n")
    assert job.status == JobStatus.FAILED and "empty" in job.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(import_csv, agency, db, encoding):
    text = "external_ref,debtor_name,original_amount\r\nR1,José Müller,10\r\n"
    job = import_csv(agency, text.encode(encoding))
    assert job.created == 1
    assert db.session.scalars(select(Account).filter_by(agency_id=agency.id)).one().debtor.full_name == "José Müller"


@pytest.mark.parametrize(
    "raw",
    [
        {"external_ref": " R1 ", "debtor_name": "Ann", "original_amount": "10.50", "due_date": "2026-01-31"},
        {"external_ref": "", "debtor_name": "  ", "original_amount": "1.234", "debtor_email": "x@"},
        {
            "external_ref": "R2",
            "debtor_name": "B",
            "original_amount": "5",
            "debtor_ssn_last4": "12a4",
            "due_date": "2026-13-01",
        },
    ],
)
def test_csv_reader_agrees_with_the_schema(raw):
    """The CSV path validates field by field for speed; it must give what ``schema.load`` (the API) gives."""
    from marshmallow import ValidationError

    from app.imports.parsing import Header
    from app.imports.schemas import AccountCsvRowSchema
    from app.imports.validation import RowValidator

    validator = RowValidator(Header.parse(list(raw)))
    data, errors = validator.load(list(raw.values()))
    try:
        expected, expected_errors = AccountCsvRowSchema().load(raw), {}
    except ValidationError as exc:
        expected, expected_errors = None, {k: v[0] for k, v in exc.messages.items()}
    assert dict(errors) == expected_errors
    if expected is not None:
        assert {k: v for k, v in data.items() if k in raw} == expected
