from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth.passwords import MIN_LENGTH
from app.forms import BaseForm

# autocomplete hints let password managers fill the right fields (Chrome also warns in the console without them).
USERNAME, CURRENT, NEW, ONE_TIME = (
    {"autocomplete": v} for v in ("username", "current-password", "new-password", "one-time-code")
)


class LoginForm(BaseForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)], render_kw=USERNAME)
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)], render_kw=CURRENT)
    next = HiddenField(validators=[Length(max=500)])


class PasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=200)], render_kw=CURRENT
    )
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_LENGTH, max=200)], render_kw=NEW
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("new_password"), Length(max=200)], render_kw=NEW
    )


class SecondFactorForm(BaseForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)], render_kw=ONE_TIME)


class EnableMfaForm(BaseForm):
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=10)], render_kw=ONE_TIME)
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)], render_kw=CURRENT)


class ConfirmPasswordForm(BaseForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)], render_kw=CURRENT)
