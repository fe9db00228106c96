from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField("Repeat new password", validators=[DataRequired(), EqualTo("new_password")])


class SecondFactorForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)])


class EnableMfaForm(FlaskForm):
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=10)])
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])
