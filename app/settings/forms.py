"""Forms of the settings pages: input shape only; the services judge the values."""

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.workscore import FACTORS, MAX_WEIGHT
from app.auth.tokens import Scope
from app.forms import BaseForm, optional_int, options
from app.settings.services import CURRENCIES, known_timezone


class AgencyForm(BaseForm):
    name = StringField("Agency name", validators=[DataRequired(), Length(max=200)])
    license_number = StringField("License number", validators=[Optional(), Length(max=60)])
    timezone = StringField("Timezone (e.g. America/New_York)", validators=[DataRequired(), Length(max=64)])
    currency = SelectField("Currency", choices=options((c, c) for c in CURRENCIES))
    address_line1 = StringField("Address", validators=[Optional(), Length(max=200)])
    address_line2 = StringField("Address (line 2)", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    region = StringField("State / region", validators=[Optional(), Length(max=100)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=20)])
    country = StringField("Country (2 letters)", validators=[Optional(), Length(max=2)])
    mfa_required = BooleanField("Require two-factor authentication for every user of this agency")

    def validate_timezone(self, field) -> None:
        if not known_timezone((field.data or "").strip()):
            raise ValidationError("Unknown timezone.")


class CollectorForm(BaseForm):
    username = StringField("Username", validators=[Optional(), Length(max=80)])
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    commission_rate = StringField("Commission (%)", default="10", validators=[Length(max=10)])
    max_open_accounts = StringField("Max open accounts", default="200", validators=[Length(max=10)])
    password = PasswordField(
        "Temporary password (leave empty to generate one)",
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},  # the collector's, not the admin's own
    )

    def values(self) -> dict:
        return {name: self[name].data for name in ("full_name", "email", "commission_rate", "max_open_accounts")}


class DeactivateForm(BaseForm):
    action = RadioField(
        "Their open accounts",
        choices=options([("unassign", "Unassign them"), ("move", "Move them to another collector")]),
        default="unassign",
        validate_choice=False,
    )
    target_id = SelectField("Move to", coerce=optional_int, validate_choice=False, validators=[Optional()])

    def set_targets(self, collectors, exclude_id: int) -> None:
        self.target_id.choices = options(
            [(None, "Choose…")] + [(c.id, c.full_name) for c in collectors if c.id != exclude_id]
        )


class WorkScoreForm(BaseForm):
    """Points per unit of each work-score factor: one field per factor of ``app.accounts.workscore.FACTORS``."""

    def values(self) -> dict:
        return {f.name: self[f.name].data for f in FACTORS}


for _factor in FACTORS:
    setattr(
        WorkScoreForm,
        _factor.name,
        IntegerField(_factor.label, validators=[InputRequired(), NumberRange(min=0, max=MAX_WEIGHT)]),
    )


class ApiTokenForm(BaseForm):
    """A personal access token: a name, its scopes, an optional last day."""

    name = StringField("Name (what uses it)", validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(
        "Scopes",
        choices=options([(s.value, s.value) for s in Scope]),
        default=["read"],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    expires_on = DateField("Expires after (optional)", validators=[Optional()])
