"""The one row schema for account placements, shared by CSV imports and the JSON API."""

import re
from datetime import date
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.sensitive import finding

MAX_AMOUNT = Decimal("100000000.00")  # anything larger is a broken file, not a debt
# ASCII digits only ([0-9], not \d): Decimal and int also read "５" and "١٠" as 5 and 10.
AMOUNT_RE = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,2})?$")
SSN4_RE = re.compile(r"^[0-9]{4}$")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST_ITEMIZATION = date(1900, 1, 1)
# The five itemization reference dates of 12 CFR 1006.34(b)(3) (app.compliance.models.ReferenceDate holds the
# same values; the imports sit below the compliance package, so the list is stated here and a test holds the two).
REFERENCE_DATES = ("last_statement", "charge_off", "last_payment", "transaction", "judgment")


class Money(fields.Field):
    """A positive amount with at most two decimal places, written as plain digits ("1234.50")."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        return self.parse(str(value).strip())

    @staticmethod
    def parse(text: str) -> Decimal:
        """The amount ``text`` (already trimmed) writes; ValidationError if it is not one."""
        if text.startswith("-") or text in ("0", "0.0", "0.00"):
            raise ValidationError("must be greater than zero")
        if not AMOUNT_RE.match(text):
            raise ValidationError("must be a positive decimal with at most 2 decimal places")
        amount = Decimal(text)
        if amount <= 0:
            raise ValidationError("must be greater than zero")
        if amount > MAX_AMOUNT:
            raise ValidationError(f"is larger than the maximum of {MAX_AMOUNT:,}")
        return amount


class Amount(Money):
    """An amount that may be zero (interest, fees, payments and credits since the itemization date)."""

    @staticmethod
    def parse(text: str) -> Decimal:
        if text.startswith("-"):
            raise ValidationError("must not be negative")
        if AMOUNT_RE.match(text) and Decimal(text) == 0:
            return Decimal(text)
        return Money.parse(text)


class IsoDate(fields.Field):
    """A calendar date written YYYY-MM-DD; impossible dates (2026-02-30) are refused."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        return self.parse(str(value).strip())

    @staticmethod
    def parse(text: str) -> date:
        """The date ``text`` (already trimmed) writes; ValidationError if it is not one."""
        if not DATE_RE.fullmatch(text):
            raise ValidationError("must be a date written YYYY-MM-DD")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValidationError("is not a real calendar date") from None


class PastDate(IsoDate):
    """A date written YYYY-MM-DD between 1900 and today (the itemization date is a day that has been)."""

    @staticmethod
    def parse(text: str) -> date:
        day = IsoDate.parse(text)
        if day < EARLIEST_ITEMIZATION:
            raise ValidationError("is before 1900")
        if day > date.today():
            raise ValidationError("is in the future")
        return day


def _text(max_len: int, required: bool = False, free: bool = False) -> fields.String:
    """A text column; ``free``: free text, where a card number or a full SSN is refused (app.sensitive)."""
    messages = {"required": "is required", "null": "is required"}
    return fields.String(
        required=required,
        allow_none=not required,
        validate=[
            validate.Length(max=max_len, error=f"is longer than {max_len} characters"),
            *([NoCardOrSsn()] if free else []),
        ],
        error_messages=messages,
        metadata={"free_text": free},
    )


class NoCardOrSsn(validate.Validator):
    """The schema's statement of :mod:`app.sensitive` (the CSV validator applies it to the whole row at once)."""

    def __call__(self, value: str) -> str:
        reason = finding(value)
        if reason is not None:
            raise ValidationError(reason)
        return value


class AccountCsvRowSchema(Schema):
    """One placed account: the debt, its debtor and its creditor. Empty optional values become ``None``."""

    external_ref = _text(100, required=True)
    debtor_name = _text(200, required=True, free=True)
    original_amount = Money(required=True, error_messages={"required": "is required", "null": "is required"})
    debtor_ref = _text(100)
    debtor_ssn_last4 = fields.String(
        allow_none=True, validate=validate.Regexp(SSN4_RE, error="must be exactly 4 digits")
    )
    debtor_email = fields.Email(allow_none=True, error_messages={"invalid": "is not a valid email address"})
    debtor_phone = _text(40)
    due_date = IsoDate(allow_none=True)
    creditor_name = _text(200, free=True)
    account_type = _text(80, free=True)
    address_line1 = _text(200, free=True)
    address_line2 = _text(200, free=True)
    city = _text(100, free=True)
    state = _text(50, free=True)
    postal_code = _text(20, free=True)
    # The validation notice's itemization (optional; all or none of the first four)
    itemization_date = PastDate(allow_none=True)
    itemization_reference = fields.String(
        allow_none=True,
        validate=validate.OneOf(REFERENCE_DATES, error=f"must be one of {', '.join(REFERENCE_DATES)}"),
    )
    itemization_amount = Money(allow_none=True)
    itemization_interest = Amount(allow_none=True)
    itemization_fees = Amount(allow_none=True)
    itemization_payments_credits = Amount(allow_none=True)
    itemization_creditor = _text(200, free=True)
    original_creditor = _text(200, free=True)

    @validates_schema(skip_on_field_errors=True)
    def itemization_complete(self, data: dict, **kwargs) -> None:
        errors = itemization_errors(data)
        if errors:
            raise ValidationError({column: [message] for column, message in errors})

    @pre_load
    def strip_values(self, data: dict, **kwargs) -> dict:  # also called directly by the CSV reader
        """Trim surrounding whitespace; an empty cell means 'not given'."""
        cleaned = {}
        for key, value in data.items():
            text = value.strip() if isinstance(value, str) else value
            cleaned[key] = None if text == "" else text
        return cleaned


ITEMIZATION_COLUMNS = tuple(name for name in AccountCsvRowSchema().fields if name.startswith("itemization_")) + (
    "original_creditor",
)
ITEMIZATION_REQUIRED = ("itemization_date", "itemization_reference", "itemization_amount", "itemization_creditor")
ITEMIZATION_ADDED = ("itemization_interest", "itemization_fees")


def itemization_errors(data: dict) -> list[tuple[str, str]]:
    """A row's itemization as a whole: none of its columns, or the four it needs; and it must add up to the
    account's original amount (the placed amount is the amount owed now, which the notice prints)."""
    given = [name for name in ITEMIZATION_COLUMNS if data.get(name) is not None]
    if not given:
        return []
    missing = [name for name in ITEMIZATION_REQUIRED if data.get(name) is None]
    if missing:
        return [(name, "is required when the row carries an itemization") for name in missing]
    total = itemization_total(data)
    if data.get("original_amount") is not None and total != data["original_amount"]:
        message = f"the itemization adds up to {total}, not to the original amount {data['original_amount']}"
        return [("itemization_amount", message)]
    return []


def itemization_total(data: dict) -> Decimal:
    """Amount on the itemization date, plus interest and fees, less payments and credits since."""
    added = sum((data.get(name) or Decimal(0) for name in ITEMIZATION_ADDED), data["itemization_amount"])
    return added - (data.get("itemization_payments_credits") or Decimal(0))


COLUMNS = tuple(AccountCsvRowSchema().fields)
REQUIRED_COLUMNS = tuple(name for name, field in AccountCsvRowSchema().fields.items() if field.required)
FREE_TEXT_COLUMNS = frozenset(name for name, f in AccountCsvRowSchema().fields.items() if f.metadata.get("free_text"))
