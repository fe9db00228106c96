"""The one row schema for account placements, shared by CSV imports and the JSON API."""

import re
from datetime import date
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from app.sensitive import finding

MAX_AMOUNT = Decimal("100000000.00")  # anything larger is a broken file, not a debt
# ASCII digits only ([0-9], not \d): Decimal and int also read "５" and "١٠" as 5 and 10.
AMOUNT_RE = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,2})?$")
SSN4_RE = re.compile(r"^[0-9]{4}$")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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

    @pre_load
    def strip_values(self, data: dict, **kwargs) -> dict:  # also called directly by the CSV reader
        """Trim surrounding whitespace; an empty cell means 'not given'."""
        cleaned = {}
        for key, value in data.items():
            text = value.strip() if isinstance(value, str) else value
            cleaned[key] = None if text == "" else text
        return cleaned


COLUMNS = tuple(AccountCsvRowSchema().fields)
REQUIRED_COLUMNS = tuple(name for name, field in AccountCsvRowSchema().fields.items() if field.required)
FREE_TEXT_COLUMNS = frozenset(name for name, f in AccountCsvRowSchema().fields.items() if f.metadata.get("free_text"))
