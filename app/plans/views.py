"""Plan pages: the account page's plan card (preview, confirm, cancel), the admin's plan settings, and the
plan analytics panel."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.accounts import queries as account_queries
from app.accounts.views import add_account_panel, attach_errors, render_account_page, run_account_action
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.compliance.settings import setting
from app.errors import ValidationFailed
from app.forms import BaseForm
from app.headers import csp_sources
from app.htmx import render, wants_fragment
from app.payments.views import stripe_page_sources
from app.plans import applying, autopay, queries, services, settings
from app.plans.forms import AutopayForm, BoundsForm, GraceDaysForm, PlanForm, ReminderDaysForm
from app.plans.models import PlanState
from app.plans.section import plan_section

bp = Blueprint("plans", __name__, url_prefix="/plans")
bp.record_once(lambda state: add_account_panel(state.app, plan_section))  # the account page's plan card
bp.record_once(lambda state: applying.connect())  # payments and refunds move the plans


@bp.post("/accounts/<int:account_id>")
@login_required
def submit(account_id: int):
    """Preview the schedule (the default button), or agree it (``action=confirm``)."""
    form = PlanForm()
    if request.form.get("action") == "confirm":
        act = lambda: services.create_plan(account_id, form.terms(), actor=current_user)  # noqa: E731
        return run_account_action(account_id, form, act, "Agreed: the schedule is on the account.", plan_form=form)
    return _preview(account_id, form)


def _preview(account_id: int, form: PlanForm):
    account = account_queries.get_account(current_user, account_id)
    preview, status = None, 422
    if form.validate_on_submit():
        try:
            preview, status = services.preview_plan(account_id, form.terms(), actor=current_user), 200
        except ValidationFailed as exc:
            attach_errors(form, exc)
    return render_account_page(account, status=status, plan_form=form, plan_preview=preview)


@bp.post("/<int:plan_id>/cancel")
@login_required
def cancel(plan_id: int):
    plan, account = services.get_plan(current_user, plan_id)
    act = lambda: services.cancel_plan(plan.id, actor=current_user)  # noqa: E731
    return run_account_action(account.id, BaseForm(), act, f"{plan.kind.label} cancelled.")


@bp.post("/accounts/<int:account_id>/card")
@login_required
@csp_sources(stripe_page_sources)
def start_card(account_id: int):
    """The card form (Stripe Elements) for the debtor on the phone: its details go from the browser to Stripe."""
    setup = autopay.start_card_setup(account_id, actor=current_user)
    account = account_queries.get_account(current_user, account_id)
    return render("plans/card_setup.html", account=account, setup=setup, js_url=current_app.config["STRIPE_JS_URL"])


@bp.get("/accounts/<int:account_id>/card/done")
@login_required
def card_done(account_id: int):
    """Where Stripe.js returns after confirming the SetupIntent: keep the card."""
    autopay.save_card(account_id, request.args.get("setup_intent", ""), actor=current_user)
    flash("Card saved: choose it for autopay on the plan.", "success")
    return redirect(url_for("accounts.show", account_id=account_id), 303)


@bp.post("/<int:plan_id>/autopay")
@login_required
def set_autopay(plan_id: int):
    form = AutopayForm()
    plan, account = services.get_plan(current_user, plan_id)
    act = lambda: autopay.set_autopay(plan.id, form.card_id.data, actor=current_user)  # noqa: E731
    return run_account_action(account.id, form, act, "Autopay updated.")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@roles_required(Role.ADMIN)
def plan_settings():
    """The agency's grace days and each creditor's settlement bounds."""
    form = GraceDaysForm(grace_days=current_user.agency.plan_grace_days)
    if form.validate_on_submit():
        settings.set_grace_days(form.grace_days.data, actor=current_user)
        flash("Grace days saved.", "success")
        return redirect(url_for("plans.plan_settings"), 303)
    return _settings_page(form, status=422 if form.errors else 200)


@bp.post("/settings/reminders")
@login_required
@roles_required(Role.ADMIN)
def set_reminder_days():
    form = ReminderDaysForm()
    if form.validate_on_submit():
        settings.set_reminder_days(form.reminder_days.data, actor=current_user)
        flash("Reminder days saved.", "success")
        return redirect(url_for("plans.plan_settings"), 303)
    return _settings_page(GraceDaysForm(formdata=None, grace_days=current_user.agency.plan_grace_days), 422,
                          reminder_form=form)  # fmt: skip


@bp.post("/settings/creditors/<int:creditor_id>")
@login_required
@roles_required(Role.ADMIN)
def set_bounds(creditor_id: int):
    form = BoundsForm(prefix=f"c{creditor_id}")
    if form.validate_on_submit():
        try:
            settings.set_settlement_bounds(
                creditor_id, form.max_discount_percent.data, form.min_instalment.data, actor=current_user
            )
            flash("Settlement bounds saved.", "success")
            return redirect(url_for("plans.plan_settings"), 303)
        except ValidationFailed as exc:
            attach_errors(form, exc)
    return _settings_page(
        GraceDaysForm(formdata=None, grace_days=current_user.agency.plan_grace_days), 422, {creditor_id: form}
    )


def _settings_page(form, status: int = 200, bound_forms: dict | None = None, reminder_form=None):
    rows = settings.list_creditor_bounds(current_user)
    forms = {c.id: BoundsForm(formdata=None, prefix=f"c{c.id}", **_bound_values(b)) for c, b in rows}
    forms.update(bound_forms or {})
    days = setting(current_user.agency, "reminder_days_before")
    reminder_form = reminder_form or ReminderDaysForm(formdata=None, reminder_days=days)
    return render(
        "plans/settings.html", status=status, form=form, rows=rows, bound_forms=forms, reminder_form=reminder_form
    )


def _bound_values(bounds) -> dict:
    if bounds is None:
        return dict(max_discount_percent="0", min_instalment="0")
    return dict(max_discount_percent=str(bounds.max_discount_percent), min_instalment=str(bounds.min_instalment))


@bp.get("/analytics")
@login_required
@roles_required(Role.ADMIN)
def analytics():
    """The plan figures: a panel of the dashboard (htmx), or a page of its own without JavaScript."""
    figures = queries.get_plan_figures(current_user)
    block = "plan_figures" if wants_fragment() else None
    return render("plans/analytics.html", block=block, figures=figures, PlanState=PlanState)
