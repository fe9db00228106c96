"""Forms of the payment card, the refund dialog and the payments list filters.

Amounts are plain text fields: the service parses them as Decimal and explains what is wrong, so a malformed
amount gets the same message everywhere (form, API, tests). Each action form carries an idempotency key
generated when the form is rendered, so resubmitting it cannot act twice.
"""

import uuid

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import BaseForm, options
from app.payments.models import MANUAL_METHODS, PaymentMethod, PaymentStatus
from app.payments.queries import APPLIED, SORTS, PaymentFilters


def new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(BaseForm):
    idempotency_key = HiddenField(
        validators=[DataRequired(message="The form expired; reload the page."), Length(max=64)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.idempotency_key.data:
            self.idempotency_key.data = new_key()


class ManualPaymentForm(KeyedForm):
    amount = StringField("Amount", validators=[DataRequired(), Length(max=20)])
    method = SelectField("Method", choices=options((m.value, m.label) for m in MANUAL_METHODS), default="check")
    reference = StringField("Reference (check no., transfer id)", validators=[Optional(), Length(max=120)])
    received_on = DateField("Date received", validators=[Optional()])


class CardRequestForm(KeyedForm):
    amount = StringField("Amount", validators=[DataRequired(), Length(max=20)])


class RefundForm(KeyedForm):
    amount = StringField("Amount to refund", validators=[DataRequired(), Length(max=20)])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class PaymentFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=options(
            [("", "Any status"), (APPLIED, "Received (completed, refunds included)")]
            + [(s.value, s.label) for s in PaymentStatus]
        ),
        validators=[Optional()],
    )
    method = SelectField(
        "Method",
        choices=options([("", "Any method")] + [(m.value, m.label) for m in PaymentMethod]),
        validators=[Optional()],
    )
    dates = SelectField(
        "Dates of", choices=options([("created", "Creation"), ("completed", "Completion")]), default="created"
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    sort = SelectField(
        "Sort by", choices=options([("date", "Date"), ("completed", "Completed"), ("amount", "Amount")]), default="date"
    )
    dir = SelectField("Order", choices=options([("desc", "Descending"), ("asc", "Ascending")]), default="desc")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Must not be before 'From'.")

    def to_filters(self) -> PaymentFilters:
        status = self.status.data
        return PaymentFilters(
            status=PaymentStatus(status) if status not in ("", None, APPLIED) else None,
            applied=status == APPLIED,
            method=PaymentMethod(self.method.data) if self.method.data else None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            by_completion=self.dates.data == "completed",
            sort=self.sort.data if self.sort.data in SORTS else "date",
            direction="asc" if self.dir.data == "asc" else "desc",
        )
