"""The webhook endpoint form: input shape only; the services judge the URL and the events."""

from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import BaseForm, options
from app.webhooks.models import EVENTS


class EndpointForm(BaseForm):
    url = StringField("URL (https://…)", validators=[DataRequired(), Length(max=500)])
    description = StringField("Description", validators=[Optional(), Length(max=200)])
    events = SelectMultipleField(
        "Events",
        choices=options((e, e) for e in EVENTS),
        validators=[Length(max=len(EVENTS))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    include_personal_data = BooleanField("Include the debtor's name, email and phone (personal data)")
    active = BooleanField("Active (deliver events)", default=True)

    def values(self) -> dict:
        return {name: self[name].data for name in ("url", "description", "events", "include_personal_data", "active")}
