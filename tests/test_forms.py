"""Every form field has a server-side maximum (issue 13), and every form gets the shared field rules."""

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FieldList, FileField, RadioField, SelectField, SubmitField, TimeField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import Length, NumberRange

import app as app_package
from app.forms import NUMBER_FIELDS, BaseForm, ascii_number, plausible_date

# Bounded by what they accept: a choice, a checkbox, a parsed date or time of day, an uploaded file (MAX_UPLOAD_MB).
BOUNDED = (SelectField, RadioField, BooleanField, DateField, TimeField, FileField, SubmitField, CSRFTokenField)


def all_form_classes() -> list[type]:
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return [cls for cls in found if cls.__module__.startswith("app.") and cls is not BaseForm]


def test_the_walk_finds_the_forms():
    names = {cls.__name__ for cls in all_form_classes()}
    assert {"LoginForm", "NoteForm", "ManualPaymentForm", "ImportSourceForm", "AgencyForm"} <= names


@pytest.mark.parametrize("form_class", all_form_classes(), ids=lambda cls: cls.__name__)
def test_every_field_has_a_maximum(app, form_class):
    with app.test_request_context("/"):
        form = form_class(meta={"csrf": False})
    assert isinstance(form, BaseForm), f"{form_class.__name__} must derive from app.forms.BaseForm"
    check_fields(form_class.__name__, form)


def check_fields(name: str, form) -> None:
    for field in form:
        validators = field.validators
        if isinstance(field, FieldList):  # a bounded number of sub-forms, each held to the same rules
            assert field.max_entries is not None, f"{name}.{field.name} needs max_entries"
            for entry in field:
                check_fields(name, entry.form)
            continue
        if isinstance(field, NUMBER_FIELDS):
            ranges = [v for v in validators if isinstance(v, NumberRange) and v.max is not None]
            assert ranges, f"{name}.{field.name} needs NumberRange(max=...)"
            assert validators[0] is ascii_number
        elif isinstance(field, DateField):
            assert plausible_date in validators
        elif not isinstance(field, BOUNDED):
            lengths = [v for v in validators if isinstance(v, Length) and v.max not in (None, -1)]
            assert lengths, f"{name}.{field.name} needs Length(max=...)"


def test_a_field_longer_than_its_maximum_is_refused(app):
    from app.accounts.forms import NoteForm
    from app.accounts.services import MAX_NOTE_LENGTH

    with app.test_request_context("/", method="POST", data={"body": "x" * (MAX_NOTE_LENGTH + 1)}):
        form = NoteForm(meta={"csrf": False})
        assert not form.validate() and "body" in form.errors
