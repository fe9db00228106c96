"""Forms of the operator pages and of the set-up link."""

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.forms import BaseForm


class OperatorLoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class AgencyForm(BaseForm):
    name = StringField("Agency name", validators=[DataRequired(), Length(max=200)])
    admin_email = EmailField("First admin's email", validators=[DataRequired(), Length(max=254)])


class SetupForm(BaseForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        "Repeat it", validators=[DataRequired(), Length(max=200), EqualTo("password", "The two differ.")]
    )
