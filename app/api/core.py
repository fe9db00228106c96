"""The API's building blocks: the smorest ``Api`` and ``ApiBlueprint``, the JSON parser that reads numbers as
decimals, the error schema, and the shared field types."""

import json
from decimal import Decimal

from flask_smorest import Api, Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

MONEY_MAX = Decimal("9999999999.99")


def _refuse_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not a number JSON allows", name, 0)


class DecimalJsonParser(FlaskParser):
    """Reads JSON numbers as ``Decimal`` from their text (``1500.10`` stays exactly 1500.10, never a float);
    ``NaN`` and ``Infinity`` are invalid JSON here."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return json.loads(req.get_data(cache=True), parse_float=Decimal, parse_constant=_refuse_constant)


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


class MoneyField(fields.Decimal):
    """An amount: a JSON number or a string, read as a Decimal of at most two places, answered as a string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=Decimal("0.01"), max=MONEY_MAX))
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
