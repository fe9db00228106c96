"""Small helpers shared by the forms of every blueprint, and the base class every form derives from.

:class:`BaseForm` adds the rules that hold for every field of its kind, so no form can forget them: a number
is written with the ASCII digits 0–9 (Python's ``int`` and ``Decimal`` also read "５" and "١٠" as 5 and 10),
and a date lies within the plausible days of :mod:`app.agencyday`. Every text field declares its own maximum
length (``tests/test_forms.py`` walks every form class to hold that).
"""

from collections.abc import Iterable

from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, FloatField, IntegerField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from app.agencyday import EARLIEST_DAY, LATEST_DAY, is_plausible_day
from app.errors import ValidationFailed

NUMBER_FIELDS = (IntegerField, DecimalField, FloatField)
# Fields whose value a re-rendered form never sends back (the page could be cached or looked at over a shoulder);
# ``_macros/forms.html`` notes under them that they must be entered again.
SECRET_FIELD_TYPES = ("PasswordField", "SecretTextAreaField")


class SecretTextAreaField(TextAreaField):
    """A multi-line secret (a private key): typed in a textarea, never written back into the page."""

    def _value(self) -> str:
        return ""


def options(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value):
    """Coerce a select's value to int, with the empty option meaning None."""
    return int(value) if value not in (None, "", "None") else None


def ascii_number(form, field) -> None:
    """A number field's input uses ASCII characters only (digits, sign, point)."""
    raw = (field.raw_data or [""])[0] or ""
    if not raw.isascii():
        field.errors[:] = []  # the field's own parse may have accepted it: this is the one message
        raise StopValidation("Write the number with the digits 0-9.")


def plausible_date(form, field) -> None:
    if field.data is not None and not is_plausible_day(field.data):
        raise StopValidation(f"Enter a date between {EARLIEST_DAY} and {LATEST_DAY}.")


class BaseForm(FlaskForm):
    """Every form of the app: FlaskForm (CSRF) plus the per-kind field rules above."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, NUMBER_FIELDS):
                field.validators = [ascii_number, *field.validators]
            elif isinstance(field, DateField):
                field.validators = [*field.validators, plausible_date]
            return field


def filter_errors(form: FlaskForm) -> dict[str, str]:
    """A filter form's errors as ``{field: message}``, for a ValidationFailed (an export with bad filters)."""
    return {name: "; ".join(errors) for name, errors in form.errors.items()}


def run_service(form: FlaskForm, act):
    """Run the service; on ValidationFailed put its messages on the form and return None."""
    try:
        return act()
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            if name in form:
                form[name].errors = [message]
        if not any(name in form for name in exc.fields):
            form.form_errors.append(exc.message)
        return None


def shown_status(form: FlaskForm) -> int:
    """422 when a submitted form is shown again (it failed), 200 for a first display."""
    return 422 if request.method == "POST" else 200
