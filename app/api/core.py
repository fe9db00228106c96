"""The API's building blocks: the smorest ``Api`` and ``ApiBlueprint``, the JSON parser that reads numbers as
decimals, the error schema, and the shared field types."""

import json
from decimal import Decimal

from flask_smorest import Api, Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

MONEY_MAX = Decimal("9999999999.99")
# A record id in a path: a positive 32-bit integer (a larger number is a 404, never an overflow in the database).
ID = "int(min=1, max=2147483647)"


def _refuse_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not a number JSON allows", name, 0)


class DecimalJsonParser(FlaskParser):
    """Reads JSON numbers as ``Decimal`` from their text (``1500.10`` stays exactly 1500.10, never a float);
    ``NaN`` and ``Infinity`` are invalid JSON here."""

    # Unknown query parameters and form fields are refused like unknown JSON fields.
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
        "form": RAISE,
    }

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        text = req.get_data(cache=True)
        data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        if _has_lone_surrogate(data):  # "\ud800" is valid JSON but no text a database can store
            raise json.JSONDecodeError("a string holds a lone surrogate", text.decode(errors="replace"), 0)
        return data


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class ApiBlueprint(Blueprint):
    """A blueprint of ``/api/v1``: each path answers with and without its trailing slash (no redirect, which
    would drop a POST's body)."""

    ARGUMENTS_PARSER = DecimalJsonParser()

    def route(self, rule, *, parameters=None, tags=None, **options):
        options.setdefault("strict_slashes", False)
        return super().route(rule, parameters=parameters, tags=tags, **options)


class ErrorSchema(Schema):
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


class DebtFlowApi(Api):
    ERROR_SCHEMA = ErrorSchema


AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


class MoneyField(fields.Decimal):
    """An amount: a JSON number or a string, read as a Decimal of at most two places, answered as a string."""

    def __init__(self, minimum: Decimal = Decimal("0.01"), **kwargs):
        kwargs.setdefault("validate", validate.Range(min=minimum, max=MONEY_MAX))
        documented = [
            {"type": "string", "pattern": AMOUNT_PATTERN},
            {"type": "number", "minimum": float(minimum), "maximum": float(MONEY_MAX)},
        ]
        kwargs["metadata"] = {"oneOf": documented, **kwargs.get("metadata", {})}
        super().__init__(places=None, as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise ValidationError("Enter an amount such as 1500.00.")
        amount = super()._deserialize(str(value).strip(), attr, data, **kwargs)
        if amount.as_tuple().exponent < -2:
            raise ValidationError("Amounts have at most two decimal places.")
        return amount


def money(value) -> str | None:
    """A stored amount as its decimal string (``"1500.00"``)."""
    return None if value is None else f"{Decimal(value):.2f}"


class Money(fields.Decimal):
    """An amount in a response: always a decimal string with two places."""

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, **kwargs)


class Rate(fields.Decimal):
    """A rate or ratio in a response (commission, recovery, conversion): a decimal string such as ``"0.1250"``."""

    def __init__(self, **kwargs):
        super().__init__(as_string=True, **kwargs)
