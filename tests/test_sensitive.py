"""The card-number and SSN rule (app.sensitive) that forms, imports and the API share."""

import pytest

from app.errors import ValidationFailed
from app.sensitive import CARD_MESSAGE, SSN_MESSAGE, finding, luhn_ok, refuse_sensitive


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",  # Visa test number, 16 digits
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "paid by card 5500 0000 0000 0004, thanks",
        "378282246310005",  # Amex, 15 digits
        "3782 822463 10005",  # Amex grouping
        "4222222222222",  # 13 digits
        "6011000990139424",
        "4111 1111 1111 1111 123",  # card then CVV: whole groups are searched
    ],
)
def test_card_numbers_are_found(text):
    assert finding(text) == CARD_MESSAGE


@pytest.mark.parametrize("text", ["123-45-6789", "ssn 123 45 6789 on file", "SSN:123-45-6789."])
def test_full_ssns_are_found(text):
    assert finding(text) == SSN_MESSAGE


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "Ann Lee",
        "4111111111111112",  # fails Luhn
        "411111111111",  # 12 digits
        "41111111111111111111",  # 20 digits
        "Call 555-123-4567",
        "check 123456789",  # a bare nine-digit number is a check or routing number, not taken for an SSN
        "000-12-3456",  # never issued: area 000
        "666-12-3456",
        "900-12-3456",
        "123-00-4567",
        "123-45-0000",
        "123-45 6789",  # mixed separators
        "89501-1234",
        "ref ５５００ ００００ ００００ ０００４",  # full-width digits are not what a card number is written with
    ],
)
def test_ordinary_values_pass(text):
    assert finding(text) is None


def test_luhn():
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")


def test_refusal_names_the_field():
    with pytest.raises(ValidationFailed) as refused:
        refuse_sensitive("4111 1111 1111 1111", "body", "note")
    assert refused.value.fields == {"body": f"The note {CARD_MESSAGE}."}
    refuse_sensitive("a plain note", "body", "note")
