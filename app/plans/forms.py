"""The account page's plan form and the admin's plan settings form.

Amounts and counts are text fields: ``terms.parse_terms`` parses them for the form and the API alike, so a
malformed value gets the same message everywhere.
"""

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import BaseForm, optional_int, options
from app.plans.models import Frequency, PlanKind
from app.plans.terms import parse_terms

KIND_LABELS = {
    PlanKind.PROMISE: "Promise to pay (one amount, one date)",
    PlanKind.PLAN: "Payment plan (instalments)",
    PlanKind.SETTLEMENT: "Settlement offer (less than the balance)",
}


class PlanForm(BaseForm):
    kind = SelectField("Kind", choices=options((k.value, label) for k, label in KIND_LABELS.items()), default="plan")
    total = StringField("Amount (the total agreed)", validators=[InputRequired(), Length(max=20)])
    first_due = DateField("First due date", validators=[InputRequired()])
    frequency = SelectField("Frequency", choices=options((f.value, f.label) for f in Frequency), default="monthly")
    count = StringField("Number of instalments", validators=[Optional(), Length(max=4)])
    amount = StringField("…or the amount of each", validators=[Optional(), Length(max=20)])

    def terms(self):
        return parse_terms(
            self.kind.data, self.total.data, self.frequency.data, self.first_due.data, self.count.data, self.amount.data
        )


class GraceDaysForm(BaseForm):
    grace_days = IntegerField(
        "Grace days before an unpaid instalment breaks the plan", validators=[InputRequired(), NumberRange(0, 60)]
    )


class ReminderDaysForm(BaseForm):
    reminder_days = IntegerField(
        "Days before an instalment its reminder email goes", validators=[InputRequired(), NumberRange(0, 14)]
    )


class BoundsForm(BaseForm):
    max_discount_percent = StringField("Maximum discount (%)", validators=[InputRequired(), Length(max=6)])
    min_instalment = StringField("Minimum instalment", validators=[InputRequired(), Length(max=20)])


class AutopayForm(BaseForm):
    card_id = SelectField("Autopay", coerce=optional_int, validators=[Optional()], validate_choice=False)
