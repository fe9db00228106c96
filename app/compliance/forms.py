"""Forms of the account page's compliance panel and of the compliance settings."""

import re
from datetime import time

from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.services import MAX_NOTE_LENGTH
from app.compliance.models import Channel, Direction, Outcome, PointKind
from app.compliance.points import MAX_REASON, WEEKDAYS
from app.compliance.state_rules import MAX_COUNT, MAX_DAYS, RuleInput
from app.forms import BaseForm, options
from app.words import words

SPAN = re.compile(r"^\s*(\w{3})\w*\s+(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def _choices(enum) -> list:
    return options((m.value, words(m)) for m in enum)


class ContactForm(BaseForm):
    """Log an attempt: the number or address is chosen from the debtor's list (``set_targets``)."""

    channel = SelectField("Channel", id="contact-channel", choices=_choices(Channel), default=Channel.CALL.value)
    direction = SelectField(
        "Direction", id="contact-direction", choices=_choices(Direction), default=Direction.OUTBOUND.value
    )
    outcome = SelectField("Outcome", id="contact-outcome", choices=_choices(Outcome), default=Outcome.NO_ANSWER.value)
    target = SelectField("Number or address", id="contact-target", validators=[Optional()], validate_choice=True)
    note = TextAreaField("Contact note", id="contact-note", validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])

    def set_targets(self, points) -> None:
        self.target.choices = options([("", "—")] + [(p.value, f"{p.value} ({words(p.kind)})") for p in points])

    def phone_and_email(self) -> tuple[str | None, str | None]:
        value = self.target.data or None
        return (None, value) if value and "@" in value else (value, None)


class PointForm(BaseForm):
    """Add a phone or email, or change one (the value names it)."""

    channel = SelectField(
        "Kind of contact", id="point-channel", choices=options([("phone", "Phone"), ("email", "Email")])
    )
    value = StringField("Phone number or email address", id="point-value", validators=[DataRequired(), Length(max=254)])
    kind = SelectField("Type", id="point-kind", choices=_choices(PointKind), default=PointKind.OTHER.value)
    consent = BooleanField("Consent to texts and emails", id="point-consent")
    opted_out = BooleanField("Opted out of texts and emails", id="point-opted-out")
    do_not_use = BooleanField("Do not use", id="point-do-not-use")
    do_not_use_reason = StringField(
        "Why not", id="point-do-not-use-reason", validators=[Optional(), Length(max=MAX_REASON)]
    )


class PreferencesForm(BaseForm):
    """The consumer's inconvenient weekly times, one per line ("Mon 12:00-13:30"), and no calls at work."""

    spans = TextAreaField(
        "Inconvenient times (one per line, e.g. Mon 12:00-13:30, the debtor's local time)",
        id="preferences-spans",
        validators=[Optional(), Length(max=2000)],
    )
    no_calls_at_work = BooleanField("No calls at work (the employer forbids them)", id="preferences-no-calls-at-work")

    def validate_spans(self, field) -> None:
        self.parsed = []
        for line in (field.data or "").splitlines()[:100]:
            if line.strip():
                self.parsed.append(_span(line))

    def parsed_spans(self) -> list:
        return getattr(self, "parsed", [])


def _span(line: str) -> tuple[int, time, time]:
    match = SPAN.match(line)
    day = match and match.group(1).title()
    if not match or day not in WEEKDAYS:
        raise ValidationError(f"Write each line as a day and hours, e.g. Mon 12:00-13:30 (not “{line.strip()[:40]}”).")
    h1, m1, h2, m2 = (int(g) for g in match.groups()[1:])
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60):
        raise ValidationError(f"“{line.strip()[:40]}” is not a time of day.")
    return WEEKDAYS.index(day), time(h1, m1), time(h2, m2)


def spans_text(spans) -> str:
    return "\n".join(f"{WEEKDAYS[s.weekday]} {s.starts:%H:%M}-{s.ends:%H:%M}" for s in spans)


class StateRuleForm(BaseForm):
    state = StringField("State (e.g. MA)", validators=[DataRequired(), Length(max=50)])
    channels = SelectMultipleField("Channels", choices=_choices(Channel), default=["call", "sms"])
    point_kinds = SelectMultipleField("To numbers of type (none: any)", choices=_choices(PointKind))
    max_count = IntegerField("At most", validators=[DataRequired(), NumberRange(1, MAX_COUNT)])
    window_days = IntegerField("In days", validators=[DataRequired(), NumberRange(1, MAX_DAYS)])
    citation = StringField("Citation", validators=[Optional(), Length(max=200)])
    active = BooleanField("In force", default=True)

    def to_input(self) -> RuleInput:
        return RuleInput(
            self.state.data, self.channels.data or [], self.point_kinds.data or [], self.max_count.data,
            self.window_days.data, self.citation.data or "", self.active.data,
        )  # fmt: skip


class OwnLimitsForm(BaseForm):
    call_attempts_max = IntegerField("Call attempts at most", validators=[DataRequired(), NumberRange(1, 7)])
    call_attempts_window_days = IntegerField("In days", validators=[DataRequired(), NumberRange(7, MAX_DAYS)])
