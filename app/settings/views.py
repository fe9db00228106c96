"""Settings pages (admins only): agency profile and collectors. Each handler parses, calls one service, renders."""

from types import SimpleNamespace

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.accounts import handover
from app.accounts import queries as account_queries
from app.accounts.workscore import FACTORS, weights_of
from app.agencyday import day_end
from app.auth import apitokens, lockout, mfa
from app.auth import queries as auth_queries
from app.auth import services as auth_services
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.collectors import services as collector_services
from app.forms import run_service, shown_status
from app.htmx import render
from app.settings import services
from app.settings.forms import AgencyForm, ApiTokenForm, CollectorForm, DeactivateForm, WorkScoreForm

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.before_request
@login_required
@roles_required(Role.ADMIN)
def require_admin():
    """Every settings page is for the agency's admins only."""


@bp.route("/", methods=["GET", "POST"])
def agency():
    """The agency profile: name, license, timezone, currency, address."""
    form = AgencyForm(obj=current_user.agency if request.method == "GET" else None)
    if form.validate_on_submit() and run_service(form, lambda: services.update_profile(form.data, actor=current_user)):
        flash("Agency profile saved.", "success")
        return redirect(url_for("settings.agency"), 303)
    return render("settings/agency.html", status=shown_status(form), form=form)


@bp.route("/work-score", methods=["GET", "POST"])
def work_score():
    """The weight of each factor of the collectors' work-score order."""
    stored = weights_of(current_user.agency.work_score_weights)
    form = WorkScoreForm(data=stored if request.method == "GET" else None)
    act = lambda: services.update_work_score_weights(form.values(), actor=current_user)  # noqa: E731
    if form.validate_on_submit() and run_service(form, act):
        flash("Work score weights saved.", "success")
        return redirect(url_for("settings.work_score"), 303)
    return render("settings/work_score.html", status=shown_status(form), form=form, factors=FACTORS)


@bp.get("/collectors/")
def collectors():
    """The agency's collectors with their open-account counts."""
    rows = [(c, account_queries.count_open_accounts(c.id)) for c in account_queries.list_collectors(current_user)]
    return render("settings/collectors.html", rows=rows, locked=lockout.locked_users(current_user.agency_id))


@bp.route("/collectors/new", methods=["GET", "POST"])
def collector_new():
    """Create a collector; the temporary password is shown on this one response and never again."""
    form = CollectorForm()
    act = lambda: collector_services.create_collector(  # noqa: E731
        form.username.data, form.values(), actor=current_user, password=form.password.data or None
    )
    created = form.validate_on_submit() and run_service(form, act)
    if created:
        return render("settings/collector_created.html", created=created)
    return render("settings/collector_form.html", status=shown_status(form), form=form, collector=None)


@bp.route("/collectors/<int:collector_id>", methods=["GET", "POST"])
def collector_edit(collector_id: int):
    """Edit name, email, commission and capacity; deactivate or reactivate from the same page."""
    collector = collector_services.get_collector(current_user, collector_id)
    form = CollectorForm(obj=_form_data(collector) if request.method == "GET" else None)
    act = lambda: collector_services.update_collector(collector_id, form.values(), actor=current_user)  # noqa: E731
    if form.validate_on_submit() and run_service(form, act):
        flash("Collector saved.", "success")
        return redirect(url_for("settings.collectors"), 303)
    return _collector_page(collector, form, DeactivateForm(formdata=None), shown_status(form))


@bp.post("/collectors/<int:collector_id>/deactivate")
def collector_deactivate(collector_id: int):
    """Deactivate, unassigning or moving their open accounts in the same step."""
    collector = collector_services.get_collector(current_user, collector_id)
    form = DeactivateForm()
    act = lambda: handover.deactivate_collector(  # noqa: E731
        collector_id, form.action.data, form.target_id.data, actor=current_user
    )
    if form.validate_on_submit() and (moved := run_service(form, act)) is not None:
        flash(f"{collector.full_name} deactivated; {moved} open account(s) handed over.", "success")
        return redirect(url_for("settings.collectors"), 303)
    return _collector_page(collector, CollectorForm(obj=_form_data(collector)), form, 422)


@bp.post("/collectors/<int:collector_id>/reactivate")
def collector_reactivate(collector_id: int):
    collector_services.reactivate_collector(collector_id, actor=current_user)
    flash("Collector reactivated.", "success")
    return redirect(url_for("settings.collectors"), 303)


@bp.post("/collectors/<int:collector_id>/unlock")
def collector_unlock(collector_id: int):
    """Lift a sign-in lockout before it runs out."""
    user = lockout.unlock_user(collector_id, actor=current_user)
    flash(f"{user.full_name} can sign in again.", "success")
    return redirect(url_for("settings.collectors"), 303)


@bp.get("/users/")
def users():
    """Every user of the agency with their sign-in state: two-factor on or off, temporary password."""
    return render("settings/users.html", users=auth_queries.list_users(current_user))


@bp.post("/users/<int:user_id>/mfa-reset")
def user_mfa_reset(user_id: int):
    """Turn off a user's two-factor authentication (a lost phone); they set it up again at next sign-in."""
    user = mfa.reset_mfa(user_id, actor=current_user)
    flash(f"Two-factor authentication reset for {user.full_name}; their sessions were ended.", "success")
    return redirect(url_for("settings.users"), 303)


@bp.post("/users/<int:user_id>/password-reset")
def user_password_reset(user_id: int):
    """Give a user a temporary password, shown on this response only; their two-factor setting stays."""
    reset = auth_services.reset_password(user_id, actor=current_user)
    return render("settings/password_reset.html", reset=reset)


def _collector_page(collector, form: CollectorForm, deactivate: DeactivateForm, status: int):
    deactivate.set_targets(account_queries.list_collectors(current_user, active_only=True), collector.id)
    open_count = account_queries.count_open_accounts(collector.id)
    ctx = dict(collector=collector, form=form, deactivate=deactivate, open_count=open_count)
    return render("settings/collector_form.html", status=status, **ctx)


@bp.route("/api-tokens/", methods=["GET", "POST"])
def api_tokens():
    """The admin's personal access tokens; a new token's text is shown on this one response and never again."""
    form = ApiTokenForm()
    created = form.validate_on_submit() and run_service(form, lambda: _create_token(form))
    tokens = apitokens.list_personal_tokens(current_user)
    status = 200 if created else shown_status(form)
    return render("settings/api_tokens.html", status=status, form=form, tokens=tokens, created=created or None)


def _create_token(form: ApiTokenForm):
    expires = day_end(form.expires_on.data, current_user.agency.timezone) if form.expires_on.data else None
    return apitokens.create_personal_token(form.name.data, form.scopes.data, expires, actor=current_user)[1]


@bp.post("/api-tokens/<int:token_id>/revoke")
def api_token_revoke(token_id: int):
    apitokens.revoke_personal_token(token_id, actor=current_user)
    flash("Token revoked.", "success")
    return redirect(url_for("settings.api_tokens"), 303)


def _form_data(collector) -> SimpleNamespace:
    """The collector's current values as the edit form shows them (commission as a percentage)."""
    profile = collector.collector_profile
    rate = f"{(profile.commission_rate * 100).normalize():f}"
    fields = dict(full_name=collector.full_name, email=collector.email, username=collector.username)
    return SimpleNamespace(**fields, commission_rate=rate, max_open_accounts=str(profile.max_open_accounts))
