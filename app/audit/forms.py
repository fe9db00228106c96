from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.audit.queries import AuditFilters
from app.forms import BaseForm, optional_int, options


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    account_ref = StringField("Account reference", validators=[Optional(), Length(max=100)])
    entity_type = SelectField("Entity", validators=[Optional()])
    entity_id = StringField("Entity id", validators=[Optional(), Length(max=64)])
    actor = SelectField("Actor", coerce=optional_int, validators=[Optional()])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    dir = SelectField("Order", choices=options([("desc", "Newest first"), ("asc", "Oldest first")]), default="desc")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Must not be before 'From'.")

    def to_filters(self) -> AuditFilters:
        return AuditFilters(
            entity_type=self.entity_type.data or "",
            entity_id=(self.entity_id.data or "").strip(),
            actor_id=self.actor.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            account_ref=(self.account_ref.data or "").strip(),
            direction="asc" if self.dir.data == "asc" else "desc",
        )
