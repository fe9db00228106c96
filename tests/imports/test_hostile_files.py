"""Hostile import files (issue 13): a NUL, a stray quote, a card number or an SSN costs its row, never the file."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Account
from app.imports import parsing
from app.imports.models import JobStatus
from app.imports.parsing import MAX_FIELD_CHARS, MAX_RECORD_LINES, UNBALANCED
from app.imports.schemas import AccountCsvRowSchema
from app.sensitive import CARD_MESSAGE, SSN_MESSAGE
from tests.imports.conftest import errors_of

HEAD = "external_ref,debtor_name,original_amount,creditor_name\n"


def refs(agency, db) -> list[str]:
    return sorted(db.session.scalars(select(Account.external_ref).where(Account.agency_id == agency.id)))


def rows(count: int, start: int = 1) -> str:
    return "".join(f"R{i},Name {i},{i}.00,Bank\n" for i in range(start, start + count))


def test_a_nul_in_one_cell_rejects_that_row_with_its_column_and_the_others_import(import_csv, agency, db):
    job = import_csv(agency, HEAD + "R1,Ann,10,Bank\nR2,Bo\x00b,20,Bank\nR3,Cy,30,Ba\x00nk\nR4,Di,40,Bank\n")
    assert errors_of(job) == [
        (3, "debtor_name", "contains a NUL character, which cannot be stored"),
        (4, "creditor_name", "contains a NUL character, which cannot be stored"),
    ]
    assert (job.status, job.total, job.created) == (JobStatus.COMPLETED_WITH_ERRORS, 4, 2)
    assert refs(agency, db) == ["R1", "R4"]


def test_a_nul_in_the_reference_or_an_unknown_column_rejects_the_row(import_csv, agency, db):
    body = "R\x001,Ann,10,Bank,1\nR2,Bob,20,Bank,4\x002\nR3,Cy,30,Bank,9\n"
    job = import_csv(agency, HEAD.strip() + ",Shoe Size\n" + body)
    assert [(line, column) for line, column, _ in errors_of(job)] == [(2, "external_ref"), (3, "shoe_size")]
    assert refs(agency, db) == ["R3"]


def test_a_nul_in_the_header_rejects_the_file_with_a_message(import_csv, agency):
    job = import_csv(agency, "external_ref,debtor\x00_name,original_amount\nR1,Ann,10\n")
    assert job.status == JobStatus.FAILED and "NUL" in job.message


def test_a_stray_quote_costs_its_row_and_the_rest_of_the_file_imports(import_csv, agency, db):
    text = HEAD + 'R1,"Ann,10,Bank\n' + rows(1001, start=2)
    job = import_csv(agency, text)
    assert errors_of(job) == [(2, "", UNBALANCED)]
    assert (job.total, job.created, job.errors) == (1002, 1001, 1)
    assert len(refs(agency, db)) == 1001


def test_a_quoted_field_over_the_character_limit_is_a_runaway(import_csv, agency, db):
    long_line = "R0," + '"' + "x" * (MAX_FIELD_CHARS + 10) + "\n"
    job = import_csv(agency, HEAD + long_line + rows(3))
    assert errors_of(job) == [(2, "", UNBALANCED)]
    assert refs(agency, db) == ["R1", "R2", "R3"]


def test_a_stray_quote_near_the_end_does_not_swallow_the_last_rows(import_csv, agency, db):
    job = import_csv(agency, HEAD + rows(3) + 'R9,"Zed,90,Bank\n' + rows(2, start=4))
    assert errors_of(job) == [(5, "", UNBALANCED)]
    assert refs(agency, db) == ["R1", "R2", "R3", "R4", "R5"]


def test_several_stray_quotes_each_cost_one_row(import_csv, agency, db):
    text = HEAD + 'A1,"Ann,1,Bank\n' + rows(60) + 'A2,"Bob,2,Bank\n' + rows(60, start=61)
    job = import_csv(agency, text)
    assert errors_of(job) == [(2, "", UNBALANCED), (63, "", UNBALANCED)]
    assert len(refs(agency, db)) == 120


def test_legitimate_multi_line_quoted_fields_still_import(import_csv, agency, db):
    lines = "\n".join("x" for _ in range(MAX_RECORD_LINES - 1))  # the record takes exactly the limit
    job = import_csv(agency, HEAD + f'R1,"Ann\n{lines}",10,Bank\n' + 'R2,"Bob ""B"" Lee",20,"Bank\nof the West"\n')
    assert errors_of(job) == [] and job.created == 2
    names = db.session.scalars(select(Account).filter_by(agency_id=agency.id).order_by(Account.external_ref)).all()
    assert names[1].debtor.full_name == 'Bob "B" Lee' and names[1].original_amount == Decimal("20.00")


def test_line_numbers_after_a_runaway_are_physical_lines(import_csv, agency):
    text = HEAD + 'R1,"Ann,10,Bank\n' + rows(55, start=2) + "R99,Zed,bad,Bank\n"
    job = import_csv(agency, text)
    assert errors_of(job) == [
        (2, "", UNBALANCED),
        (58, "original_amount", "must be a positive decimal with at most 2 decimal places"),
    ]


@pytest.mark.parametrize("amount", ["５", "١٠", "1٠.00"])
def test_amounts_with_non_ascii_digits_are_refused(import_csv, agency, amount):
    job = import_csv(agency, HEAD + f"R1,Ann,{amount},Bank\nR2,Bob,5,Bank\n")
    assert errors_of(job) == [(2, "original_amount", "must be a positive decimal with at most 2 decimal places")]
    assert job.created == 1


def test_non_ascii_ssn_digits_and_dates_are_refused(import_csv, agency):
    text = "external_ref,debtor_name,original_amount,debtor_ssn_last4,due_date\n"
    job = import_csv(agency, text + "R1,Ann,10,١٢٣٤,\nR2,Bob,10,,２０２６-01-01\n")
    assert [(line, column) for line, column, _ in errors_of(job)] == [(2, "debtor_ssn_last4"), (3, "due_date")]


@pytest.mark.parametrize(
    "row, column, message",
    [
        ("R1,Ann 4111 1111 1111 1111,10,Bank", "debtor_name", CARD_MESSAGE),
        ("R1,Ann,10,4111-1111-1111-1111", "creditor_name", CARD_MESSAGE),
        ("R1,Ann,10,Bank 5500000000000004", "creditor_name", CARD_MESSAGE),
        ("R1,Ann 123-45-6789,10,Bank", "debtor_name", SSN_MESSAGE),
    ],
)
def test_card_numbers_and_ssns_in_free_text_reject_the_row(import_csv, agency, db, row, column, message):
    job = import_csv(agency, HEAD + row + "\nR2,Bob,20,Bank\n")
    assert errors_of(job) == [(2, column, message)]
    assert refs(agency, db) == ["R2"]


def test_card_numbers_in_address_columns_are_refused_too(import_csv, agency, db):
    text = "external_ref,debtor_name,original_amount,address_line1,city\n"
    job = import_csv(agency, text + "R1,Ann,10,4111 1111 1111 1111,Reno\nR2,Bob,10,1 Main St,Reno 378282246310005\n")
    assert [(line, column) for line, column, _ in errors_of(job)] == [(2, "address_line1"), (3, "city")]


def test_numbers_that_are_not_cards_pass(import_csv, agency, db):
    text = "external_ref,debtor_name,original_amount,debtor_phone,address_line1,postal_code\n"
    job = import_csv(agency, text + "4111111111111111,Ann,10,+1 555 123 4567,12 Main St,89501-1234\n")
    assert errors_of(job) == [] and job.created == 1  # a ref and a phone are not free text


def test_the_schema_states_the_same_rule_for_the_api():
    schema = AccountCsvRowSchema()
    errors = schema.validate({"external_ref": "R1", "debtor_name": "4111 1111 1111 1111", "original_amount": "5"})
    assert errors == {"debtor_name": [CARD_MESSAGE]}


def test_reading_stays_lazy_with_the_guards(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(HEAD + rows(2000))
    header, records = parsing.read_rows(path)
    first = next(records)
    assert header.names[:2] == ["external_ref", "debtor_name"] and first == (2, ["R1", "Name 1", "1.00", "Bank"])
    assert sum(1 for _ in records) == 1999
