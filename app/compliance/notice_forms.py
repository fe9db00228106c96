"""The account page's form to record a validation notice sent."""

from wtforms import DateField, SelectField
from wtforms.validators import DataRequired

from app.forms import BaseForm, options

CHANNEL_CHOICES = (("mail", "Mail"), ("email", "Email"))
LANGUAGE_CHOICES = (("en", "English"), ("es", "Spanish"))


class ValidationNoticeForm(BaseForm):
    """The day the notice was sent, how, and in which language (the service checks the day is plausible)."""

    sent_on = DateField("Sent on", validators=[DataRequired(message="Enter the day the notice was sent.")])
    channel = SelectField("Channel", choices=options(CHANNEL_CHOICES), default="mail")
    language = SelectField("Language", choices=options(LANGUAGE_CHOICES), default="en")
