"""The account page's compliance panel (can we contact now, and the form to log an attempt), the debtor's phones,
emails and wishes, and the compliance settings. Each handler parses input, calls one service, renders."""

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required

from app.accounts import queries
from app.accounts.views import add_account_panel, run_account_action
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.compliance import contacts, guard, points, state_rules
from app.compliance.forms import (
    ContactForm,
    OwnLimitsForm,
    PointForm,
    PreferencesForm,
    StateRuleForm,
    spans_text,
)
from app.compliance.models import Channel, PointKind
from app.compliance.settings import settings_of
from app.errors import ValidationFailed
from app.htmx import render
from app.timeutil import utcnow

bp = Blueprint("compliance", __name__)
PANEL_CHANNELS = (Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.LETTER)
VERBS = {Channel.CALL: "call", Channel.SMS: "text", Channel.EMAIL: "email", Channel.LETTER: "send a letter"}


@dataclass
class ChannelState:
    """One line of the panel: "Can call now: no — <reasons>; allowed again <when> (debtor's time <when>)"."""

    channel: Channel
    verb: str
    decision: guard.Decision

    @property
    def debtor_time_of_next(self) -> datetime | None:
        at = self.decision.next_allowed_at
        return at and at.astimezone(self.decision.debtor_local_time.tzinfo)


def compliance_panel(account, viewer, forms) -> dict:
    """The panel's context (``add_account_panel``): each channel's answer now, the log form, the debtor's list."""
    now, debtor = utcnow(), account.debtor
    known = points.list_points(debtor)
    form = forms.get("contact_form") or ContactForm(formdata=None)
    form.set_targets([p for p in known if not p.do_not_use])
    states = [ChannelState(c, VERBS[c], guard.check(account, c, now)) for c in PANEL_CHANNELS]
    spans = points.list_inconvenient_times(debtor)
    return dict(
        contact_states=states,
        contact_form=form,
        contact_points=known,
        point_form=forms.get("point_form") or PointForm(formdata=None),
        preferences_form=forms.get("preferences_form")
        or PreferencesForm(formdata=None, spans=spans_text(spans), no_calls_at_work=debtor.no_calls_at_work),
        recent_contacts=contacts.recent_attempts(viewer, account.id, 10),
        point_kinds=[k.value for k in PointKind],
    )


bp.record_once(lambda state: add_account_panel(state.app, compliance_panel))


@bp.post("/accounts/<int:account_id>/contacts")
@login_required
def log_contact(account_id: int):
    """Log an attempt; a refusal comes back on the form with every reason and the next allowed time (422)."""
    form = ContactForm()
    form.set_targets(points.list_points(queries.get_account(current_user, account_id).debtor))
    return run_account_action(account_id, form, lambda: _log(account_id, form), "Contact logged.", contact_form=form)


def _log(account_id: int, form: ContactForm) -> None:
    phone, email = form.phone_and_email()
    values = dict(channel=form.channel.data, direction=form.direction.data, outcome=form.outcome.data)
    try:
        contacts.log_attempt(current_user, account_id, phone=phone, email=email, note=form.note.data, **values)
    except contacts.ContactBlocked as blocked:
        raise ValidationFailed(refusal_words(blocked.decision), {}) from None


def refusal_words(decision: guard.Decision) -> str:
    """The refusal as the page says it: the reasons and when it becomes allowed, in the agency's and debtor's time."""
    reasons = "; ".join(r.detail for r in decision.reasons)
    at = decision.next_allowed_at
    if at is None:
        return f"Not allowed: {reasons}. Waiting will not change this."
    tz = current_user.agency.timezone
    debtor = at.astimezone(decision.debtor_local_time.tzinfo).strftime("%H:%M %Z")
    return f"Not allowed now: {reasons}. Allowed again {guard.rules.when(at, tz)} (debtor's time {debtor})."


@bp.post("/accounts/<int:account_id>/contact-points")
@login_required
def save_point(account_id: int):
    """Add one of the debtor's phones or emails, or change its type, consent, opt-out or do-not-use."""
    form = PointForm()
    act = lambda: points.save_point(  # noqa: E731
        queries.get_account(current_user, account_id).debtor, form.channel.data, form.value.data, _change(form),
        actor=current_user,
    )  # fmt: skip
    return run_account_action(account_id, form, act, "Phone or email saved.", point_form=form)


def _change(form: PointForm) -> points.PointChange:
    return points.PointChange(
        kind=PointKind(form.kind.data), consent=form.consent.data, do_not_use=form.do_not_use.data,
        do_not_use_reason=form.do_not_use_reason.data, opted_out=form.opted_out.data,
    )  # fmt: skip


@bp.post("/accounts/<int:account_id>/contact-preferences")
@login_required
def save_preferences(account_id: int):
    """The debtor's inconvenient times and "no calls at work", as the collector heard them."""
    form = PreferencesForm()
    act = lambda: points.set_preferences(  # noqa: E731
        queries.get_account(current_user, account_id).debtor, form.parsed_spans(), form.no_calls_at_work.data,
        actor=current_user,
    )  # fmt: skip
    return run_account_action(account_id, form, act, "Contact preferences saved.", preferences_form=form)


@bp.get("/settings/compliance")
@login_required
@roles_required(Role.ADMIN)
def settings_page():
    return _settings_page()


def _settings_page(status: int = 200, **forms):
    agency_settings = settings_of(current_user.agency)
    ctx = dict(
        rules=state_rules.list_state_rules(current_user),
        rule_form=forms.get("rule_form") or StateRuleForm(formdata=None),
        limits_form=forms.get("limits_form") or OwnLimitsForm(formdata=None, data=agency_settings),
        rule_words=state_rules.rule_words,
    )
    return render("compliance/settings.html", status=status, **ctx)


@bp.post("/settings/compliance/rules", defaults={"rule_id": None})
@bp.post("/settings/compliance/rules/<int:rule_id>")
@login_required
@roles_required(Role.ADMIN)
def save_rule(rule_id: int | None):
    """Add a state rule, or change one (its form in the list; unticking "in force" deactivates it)."""
    form = StateRuleForm()
    return _settings_action(form, lambda: state_rules.save_state_rule(current_user, form.to_input(), rule_id),
                            "State rule saved.", rule_form=form)  # fmt: skip


@bp.post("/settings/compliance/limits")
@login_required
@roles_required(Role.ADMIN)
def save_limits():
    form = OwnLimitsForm()
    act = lambda: state_rules.set_own_limits(  # noqa: E731
        current_user, form.call_attempts_max.data, form.call_attempts_window_days.data
    )
    return _settings_action(form, act, "The agency's limits are saved.", limits_form=form)


def _settings_action(form, action, success: str, **forms):
    if form.validate_on_submit():
        try:
            action()
            flash(success, "success")
            return redirect(url_for("compliance.settings_page"), 303)
        except ValidationFailed as exc:
            form.form_errors.append(exc.message)
    return _settings_page(422, **forms)
