"""The portal's forms. Labels and messages are catalogue keys (:mod:`app.portal.i18n`): the templates write
each label and error through ``_()``, so the debtor reads them in their language."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import BaseForm, optional_int, options
from app.payments.forms import KeyedForm
from app.plans.terms import parse_terms
from app.portal.settings import COLOUR_MESSAGE

REQUIRED = "This field is required."
TOO_LONG = "This is too long."
FOUR_DIGITS = "Enter exactly 4 digits."
CHOOSE_CARD = "Choose a card."
AGREE_FIRST = "Tick the box to authorize the charges."


def _text(max_len: int, *validators):
    return StringField(validators=[DataRequired(message=REQUIRED), Length(max=max_len, message=TOO_LONG), *validators])


class SignInForm(BaseForm):
    reference = _text(100)
    last_name = _text(200)
    postal_code = _text(20)
    date_of_birth = DateField(validators=[Optional()], format="%Y-%m-%d")
    ssn_last4 = StringField(
        validators=[Optional(), Length(max=4, message=TOO_LONG), Regexp(r"^[0-9]{4}$", message=FOUR_DIGITS)]
    )


class PortalPaymentForm(KeyedForm):
    amount = _text(20)


class DisputeForm(BaseForm):
    """A written dispute of all or part of the debt, or a request for the original creditor's name and address."""

    kind = RadioField(
        choices=options(
            [
                ("dispute", "I dispute this debt."),
                ("original_creditor", "Send me the name and address of the original creditor."),
                ("cease", "Stop contacting me about this debt."),
            ]
        ),
        default="dispute",
        validators=[DataRequired(message=REQUIRED)],
    )
    amount = StringField(validators=[Optional(), Length(max=20, message=TOO_LONG)])
    statement = TextAreaField(validators=[Optional(), Length(max=2000, message=TOO_LONG)])


class PlanForm(BaseForm):
    """A plan for the whole balance, or a settlement offer for less: instalments by count or by amount.

    Values are kept as typed: ``terms()`` gives them to the plans package's ``parse_terms``, whose messages the
    page shows on the fields they name.
    """

    CARRIED = ("kind", "total", "frequency", "count", "amount", "first_due")  # what the preview page sends back

    kind = RadioField(
        choices=options([("plan", "A payment plan for the whole balance"), ("settlement", "A settlement offer")]),
        default="plan",
        validators=[DataRequired(message=REQUIRED)],
    )
    total = StringField(validators=[Optional(), Length(max=20, message=TOO_LONG)])
    frequency = RadioField(
        choices=options([("weekly", "Every week"), ("biweekly", "Every two weeks"), ("monthly", "Every month")]),
        default="monthly",
        validators=[DataRequired(message=REQUIRED)],
    )
    count = StringField(validators=[Optional(), Length(max=4, message=TOO_LONG)])
    amount = StringField(validators=[Optional(), Length(max=20, message=TOO_LONG)])
    first_due = DateField(validators=[InputRequired(message=REQUIRED)], format="%Y-%m-%d")

    def terms(self, balance):
        """The terms asked for on an account of ``balance``: a plan is for all of it, a settlement for the total
        the debtor offers."""
        total = balance if self.kind.data == "plan" else self.total.data
        d = self.data
        return parse_terms(d["kind"], total, d["frequency"], d["first_due"], d["count"], d["amount"])


class AutopayForm(BaseForm):
    """Turn autopay on with a saved card, having read and accepted the recurring-debit authorization."""

    card_id = RadioField(coerce=optional_int, validators=[DataRequired(message=CHOOSE_CARD)], validate_choice=False)
    agree = BooleanField(validators=[DataRequired(message=AGREE_FIRST)])


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPAN_ROWS = 4
SPAN_ORDER = "The end must be later than the start."
SPAN_PARTS = "Give the day, the start and the end."


class SpanForm(Form):
    """One inconvenient weekly time: a day and two local times (all empty: no time on this row)."""

    weekday = SelectField(choices=options([("", "—"), *((str(i), day) for i, day in enumerate(WEEKDAYS))]))
    starts = TimeField(validators=[Optional()])
    ends = TimeField(validators=[Optional()])

    def validate_ends(self, field) -> None:
        given = [self.weekday.data, self.starts.data, field.data]
        if any(given) and not all(given):
            raise ValidationError(SPAN_PARTS)
        if all(given) and field.data <= self.starts.data:
            raise ValidationError(SPAN_ORDER)

    def span(self) -> tuple | None:
        return (int(self.weekday.data), self.starts.data, self.ends.data) if self.weekday.data else None


class PreferencesForm(BaseForm):
    """The debtor's contact preferences: inconvenient times, no calls at work, emails they want none to."""

    spans = FieldList(FormField(SpanForm), min_entries=SPAN_ROWS, max_entries=SPAN_ROWS)
    no_calls_at_work = BooleanField()
    email_opt_out = SelectMultipleField(widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def chosen_spans(self) -> list[tuple]:
        return [span for row in self.spans for span in [row.form.span()] if span]


class SignOutForm(BaseForm):
    """Only the CSRF token: signing out is a POST, so another site cannot end the debtor's session."""


COLOUR_LENGTH = Length(max=7, message=COLOUR_MESSAGE)


class PortalSettingsForm(BaseForm):
    """The admin's portal settings; the service checks the amount, the colours and the image itself."""

    MAX_READ = 1024 * 1024

    min_payment = StringField("Smallest payment a debtor may make", validators=[DataRequired(), Length(max=20)])
    brand_color = StringField("Header colour (#rrggbb, empty for the default)", validators=[Optional(), COLOUR_LENGTH])
    accent_color = StringField("Button colour (#rrggbb, empty for the default)", validators=[Optional(), COLOUR_LENGTH])
    logo = FileField("Logo (PNG or JPEG, at most 200 KB)")
    remove_logo = BooleanField("Remove the logo")

    def logo_bytes(self) -> bytes | None:
        """The uploaded logo, read only a little past the service's limit so it can say "too large"."""
        upload = self.logo.data
        return upload.read(self.MAX_READ) if upload else None
