"""Forms of the bulk page: the selection they carry, and each action's own fields."""

from wtforms import HiddenField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts import forms as accounts_forms
from app.accounts.states import Status
from app.accounts.workscore import priority_label
from app.bulk.distribution import MODES, ROUND_ROBIN
from app.bulk.selection import MAX_IDS, MAX_QUERY, Selection, parse_ids
from app.forms import BaseForm, options


class SelectionForm(BaseForm):
    """The selection, carried from the list in hidden fields: ids ("1,2,3") or the list's filter query string."""

    ids = HiddenField(validators=[Optional(), Length(max=MAX_IDS * 11)])
    match = HiddenField(validators=[Optional(), Length(max=MAX_QUERY)])
    scope = HiddenField(validators=[Optional(), Length(max=10)])  # "all": every account matching ``match``

    def selection(self) -> Selection:
        if self.scope.data == "all":
            return Selection(query=self.match.data or "")
        return Selection(ids=parse_ids((self.ids.data or "").split(",")))

    def params(self) -> dict:
        return {}


class AssignForm(SelectionForm):
    collector_ids = SelectMultipleField(
        "Collectors",
        coerce=int,
        validators=[Optional()],  # the service says "choose one or more" (a `required` checkbox means all)
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    mode = SelectField("Distribute", choices=options(MODES.items()), default=ROUND_ROBIN)

    def set_collectors(self, collectors, open_counts: dict) -> None:
        self.collector_ids.choices = options(
            (c.id, f"{c.full_name} ({open_counts.get(c.id, 0):,} of {c.collector_profile.max_open_accounts:,} open)")
            for c in collectors
        )

    def params(self) -> dict:
        return {"collector_ids": self.collector_ids.data, "mode": self.mode.data}


class PriorityForm(SelectionForm):
    priority = SelectField(
        "Priority", choices=options((str(p), priority_label(p)) for p in range(4)), validators=[DataRequired()]
    )

    def params(self) -> dict:
        return {"priority": self.priority.data}


class StatusForm(SelectionForm):
    # The service judges the target for each account, so a choice no longer valid is reported, not refused.
    status = SelectField("New status", validators=[DataRequired()], validate_choice=False)

    def set_targets(self, targets: list[Status]) -> None:
        self.status.choices = options((s.value, s.label) for s in targets)

    def params(self) -> dict:
        return {"status": self.status.data}


class FollowUpForm(SelectionForm, accounts_forms.FollowUpForm):
    """The follow-up's day, time and reason; the agency's timezone is set by the view before ``params``."""

    timezone = "UTC"

    def params(self) -> dict:
        return {"due_at": self.due_at(self.timezone).isoformat(), "reason": self.reason.data}


FORMS = {"assign": AssignForm, "priority": PriorityForm, "status": StatusForm, "follow_up": FollowUpForm}
