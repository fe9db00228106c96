"""Forms of the worklist and the account page."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.accounts.aging import BUCKETS
from app.accounts.followups import MAX_REASON
from app.accounts.queries import SORTS, UNASSIGNED, WorklistFilters
from app.accounts.services import MAX_NOTE_LENGTH
from app.accounts.states import Status
from app.accounts.workscore import PRIORITY_WORDS, priority_label
from app.forms import BaseForm, optional_int, options

OPEN = "open"  # the status filter's value for every open status
ADMIN_SORT = "priority"  # an admin's list's default order (a collector's is the work score)
MAX_FILTER_AMOUNT = 10**10  # Numeric(12, 2) holds less: a larger bound filters nothing more

SORT_LABELS = {
    "score": "Work score",
    "priority": "Priority",
    "balance": "Balance",
    "due_date": "Due date",
    "last_contact": "Last contact",
    "created": "Created",
}


class WorklistFilterForm(BaseForm):
    """The worklist filters; they live in the query string so a view can be shared or bookmarked."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    # The list opens on the open accounts; "all" (or an empty value, as older links have it) is any status.
    status = SelectField(
        "Status",
        choices=options(
            [(OPEN, "Open (not settled or closed)"), ("all", "Any status")] + [(s.value, s.label) for s in Status]
        ),
        default=OPEN,
        validators=[Optional()],
        validate_choice=False,
    )
    priority = SelectField(
        "Priority",
        choices=options([("", "Any priority")] + [(str(p), priority_label(p)) for p in PRIORITY_WORDS]),
        validators=[Optional()],
    )
    collector = SelectField("Collector", coerce=optional_int, validators=[Optional()], validate_choice=True)
    balance_min = DecimalField(
        "Balance from", places=2, validators=[Optional(), NumberRange(min=0, max=MAX_FILTER_AMOUNT)]
    )
    balance_max = DecimalField(
        "Balance to", places=2, validators=[Optional(), NumberRange(min=0, max=MAX_FILTER_AMOUNT)]
    )
    due_from = DateField("Due from", validators=[Optional()])
    due_to = DateField("Due to", validators=[Optional()])
    aging = SelectField(
        "Aging",
        choices=options([("", "Any age")] + [(b.key, b.label) for b in BUCKETS]),
        validators=[Optional()],
    )
    plan = SelectField(
        "Promises and plans",
        choices=options([("", "Any"), ("due_today", "Promise due today"), ("broken", "Plan broken")]),
        validators=[Optional()],
    )
    sort = SelectField("Sort by", choices=options(SORT_LABELS.items()), default="score")
    dir = SelectField("Order", choices=options([("desc", "Descending"), ("asc", "Ascending")]), default="desc")

    def set_collectors(self, collectors) -> None:
        fixed = [(None, "Any collector"), (UNASSIGNED, "Unassigned")]
        self.collector.choices = options(fixed + [(c.id, c.full_name) for c in collectors])

    def admin_defaults(self) -> None:
        """An admin's list of the whole agency opens by priority, not work score: scoring every open account of
        an agency of a million takes seconds (docs/decisions.md); "Work score" stays one choice away."""
        if not self.sort.raw_data:
            self.sort.data = ADMIN_SORT

    def validate_status(self, field):
        if field.data not in ("", "all", OPEN, *(s.value for s in Status)):
            raise ValidationError("Not a valid choice.")

    def validate_balance_max(self, field):
        if field.data is not None and self.balance_min.data is not None and field.data < self.balance_min.data:
            raise ValidationError("Must not be below 'Balance from'.")

    def validate_due_to(self, field):
        if field.data and self.due_from.data and field.data < self.due_from.data:
            raise ValidationError("Must not be before 'Due from'.")

    def to_filters(self) -> WorklistFilters:
        return WorklistFilters(
            status=Status(self.status.data) if self.status.data not in ("", None, "all", OPEN) else None,
            open_only=self.status.data == OPEN,
            priority=int(self.priority.data) if self.priority.data else None,
            collector_id=self.collector.data,
            balance_min=self.balance_min.data,
            balance_max=self.balance_max.data,
            due_from=self.due_from.data,
            due_to=self.due_to.data,
            q=(self.q.data or "").strip(),
            aging=self.aging.data or None,
            plan=self.plan.data or None,
            sort=self.sort.data if self.sort.data in SORTS else "score",
            direction="asc" if self.dir.data == "asc" else "desc",
        )


class NoteForm(BaseForm):
    body = TextAreaField("Note", validators=[DataRequired(), Length(max=MAX_NOTE_LENGTH)])


class StatusForm(BaseForm):
    # The service, not the form, judges the target, so a refused move gets its explanatory message.
    status = SelectField("New status", validators=[DataRequired()], validate_choice=False)
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])


class AssignForm(BaseForm):
    collector_id = SelectField("Collector", coerce=optional_int, validators=[DataRequired()])


class PriorityForm(BaseForm):
    priority = SelectField(
        "Priority", choices=options((str(p), priority_label(p)) for p in PRIORITY_WORDS), validators=[DataRequired()]
    )


class FollowUpForm(BaseForm):
    """A follow-up's day and time, on the agency's clock (``app.agencyday``), and why."""

    day = DateField("Day", validators=[DataRequired()])
    time = StringField(
        "Time",
        default="09:00",
        validators=[DataRequired(), Length(max=5), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="Use HH:MM.")],
        render_kw={"type": "time"},
    )
    reason = StringField("Reason", validators=[DataRequired(), Length(max=MAX_REASON)])

    def due_at(self, tz: str) -> datetime:
        """The chosen day and time in the agency's timezone, as a UTC instant."""
        hour, minute = (int(part) for part in self.time.data.split(":"))
        return datetime.combine(self.day.data, time(hour, minute), ZoneInfo(tz)).astimezone(UTC)


MOVES = {"1": "Tomorrow", "7": "In a week"}  # days to move a follow-up by, one click each


class MoveFollowUpForm(BaseForm):
    days = SelectField("Move by", choices=options(MOVES.items()), validators=[DataRequired()])
