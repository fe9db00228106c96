"""The CSV row validator gives what the shared schema's ``load`` (the API's path) gives, over generated rows."""

import random

import pytest
from marshmallow import ValidationError

from app.imports.parsing import Header
from app.imports.schemas import COLUMNS, AccountCsvRowSchema
from app.imports.validation import RowValidator

CELLS = {
    "external_ref": ["R1", " R-2 ", "", "   ", "x" * 100, "x" * 101, "ref\x00nul", "Ünïcode-ref"],
    "debtor_name": ["Ann Lee", "  José Müller ", "", "n" * 200, "n" * 201, "tab\tname", "nul\x00name"],
    "original_amount": [
        "10",
        "10.5",
        "10.50",
        " 0.01 ",
        "0",
        "0.00",
        "-5",
        "1.234",
        "1e3",
        "12,50",
        "abc",
        "",
        ".5",
        "5.",
        "100000000.00",
        "100000000.01",
        "999999999999",
        "1234567890123",
        "٣٤",
        "+5",
        "0.0",
    ],  # fmt: skip
    "debtor_ref": ["", "D1", "d" * 100, "d" * 101],
    "debtor_ssn_last4": ["", "1234", "12a4", "123", "12345", " 0000 ", "١٢٣٤"],
    "debtor_email": [
        "",
        "ann@example.com",
        "Ann.Lee+tag@Mail.Example.CO.UK",
        "x@",
        "@example.com",
        "no-at-sign",
        "a@b",
        "a@localhost",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@-bad.com",
        "a@bad-.com",
        "a@[127.0.0.1]",
        '"quoted user"@example.com',
        "josé@exämple.com",
        "a@b@example.com",
        "a b@example.com",
        "a@example.museum",
        "a@example.c",
        "a@" + "l" * 63 + ".com",
        "a@" + "l" * 64 + ".com",
        "a@example.123",
        "nul\x00@example.com",
        "a@example.com\n",
        "user_name@sub-domain.example.org",
        "a@xn--bcher-kva.ch",
    ],  # fmt: skip
    "debtor_phone": ["", "555-0100", "5" * 40, "5" * 41],
    "due_date": [
        "",
        "2026-01-31",
        "2026-02-30",
        "2026-13-01",
        "26-01-01",
        "2026/01/31",
        "2026-1-5",
        " 2024-02-29 ",
        "2023-02-29",
        "٢٠٢٦-٠١-٠١",
        "2026-01-31x",
    ],  # fmt: skip
    "creditor_name": ["", "Acme", "c" * 200, "c" * 201],
    "account_type": ["", "medical", "t" * 80, "t" * 81],
    "address_line1": ["", "1 Main St", "a" * 200, "a" * 201],
    "address_line2": ["", "Apt 2"],
    "city": ["", "Springfield", "c" * 100, "c" * 101],
    "state": ["", "CA", "s" * 50, "s" * 51],
    "postal_code": ["", "94105", "p" * 20, "p" * 21],
    # The itemization: the good row's adds up to its original amount (10)
    "itemization_date": ["", "2026-06-30", "1900-01-01", "1899-12-31", "2999-01-01", "2026-02-30", "30/06/2026"],
    "itemization_reference": ["", "charge_off", "last_statement", "judgment", "Charge Off", "chargeoff"],
    "itemization_amount": ["", "10", "9.50", "0", "-5", "100000000.01", "abc"],
    "itemization_interest": ["", "0", "0.00", "0.50", "-1", "1e3"],
    "itemization_fees": ["", "0", "5", "-0.01"],
    "itemization_payments_credits": ["", "0", "0.50", "x"],
    "itemization_creditor": ["", "First Bank", "c" * 200, "c" * 201],
    "original_creditor": ["", "Retail Card", "o" * 201],
}


GOOD = {c: next(v for v in values if v.strip()) for c, values in CELLS.items()}


def _rows(count: int, seed: int) -> list[dict]:
    """Each column's every value once in an otherwise valid row, then rows with up to three random cells."""
    rng = random.Random(seed)
    rows = [{**GOOD, column: value} for column, values in CELLS.items() for value in values]
    for _ in range(count):
        row = dict(GOOD)
        for column in rng.sample(list(CELLS), rng.randint(0, 3)):
            row[column] = rng.choice(CELLS[column])
        rows.append(row)
    return rows


def _schema(raw: dict) -> tuple[dict | None, dict]:
    try:
        return AccountCsvRowSchema().load(raw), {}
    except ValidationError as exc:
        return None, {k: v[0] for k, v in exc.messages.items()}


def test_the_generated_cells_cover_every_column():
    assert set(CELLS) == set(COLUMNS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_validator_equals_the_schema_over_generated_rows(seed):
    validator = RowValidator(Header.parse(list(COLUMNS)))
    accepted = rejected = 0
    for raw in _rows(400, seed):
        data, errors = validator.load([raw[c] for c in COLUMNS])
        expected, expected_errors = _schema(raw)
        assert dict(errors) == expected_errors, raw
        if expected is None:
            rejected += 1
            continue
        accepted += 1
        assert data == {c: expected.get(c) for c in COLUMNS}, raw
    assert accepted > 50 and rejected > 50  # both sides of every rule were exercised


def test_a_memoised_value_is_judged_as_the_first_time():
    """The converters remember values; a repeat must get the same verdict and value as a first sight."""
    validator = RowValidator(Header.parse(list(COLUMNS)))
    rows = _rows(0, 4)
    first = [validator.load([r[c] for c in COLUMNS]) for r in rows]
    again = [validator.load([r[c] for c in COLUMNS]) for r in rows]
    assert first == again
