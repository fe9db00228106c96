"""Settings → Webhooks (admins only): endpoints, their deliveries, resend. Each handler parses, calls one
service of ``app.webhooks``, renders. Here, not in ``app.webhooks``: that package sits below the domain packages
whose services emit events, and the settings pages sit above them."""

from types import SimpleNamespace

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.auth.decorators import roles_required
from app.auth.models import Role
from app.forms import run_service, shown_status
from app.htmx import render
from app.webhooks import services
from app.webhooks.forms import EndpointForm

bp = Blueprint("webhooks", __name__, url_prefix="/settings/webhooks")


@bp.before_request
@login_required
@roles_required(Role.ADMIN)
def require_admin():
    """Every webhook page is for the agency's admins only."""


@bp.get("/")
def endpoint_list():
    return render("webhooks/endpoints.html", endpoints=services.list_endpoints(current_user))


@bp.route("/new", methods=["GET", "POST"])
def endpoint_new():
    """Add an endpoint; its signing secret is shown on this one response."""
    form = EndpointForm()
    act = lambda: services.create_endpoint(form.values(), actor=current_user)  # noqa: E731
    created = form.validate_on_submit() and run_service(form, act)
    if created:
        return render("webhooks/secret.html", endpoint=created.endpoint, secret=created.secret)
    return render("webhooks/endpoint_form.html", status=shown_status(form), form=form, endpoint=None)


@bp.route("/<int:endpoint_id>", methods=["GET", "POST"])
def endpoint_edit(endpoint_id: int):
    """Edit or disable an endpoint; its latest deliveries below, each with a resend button."""
    endpoint = services.get_endpoint(current_user, endpoint_id)
    form = EndpointForm(obj=_form_data(endpoint) if request.method == "GET" else None)
    act = lambda: services.update_endpoint(endpoint_id, form.values(), actor=current_user)  # noqa: E731
    if form.validate_on_submit() and run_service(form, act):
        flash("Webhook endpoint saved.", "success")
        return redirect(url_for("webhooks.endpoint_edit", endpoint_id=endpoint_id), 303)
    deliveries = services.list_deliveries(current_user, endpoint_id)
    ctx = dict(form=form, endpoint=endpoint, deliveries=deliveries)
    return render("webhooks/endpoint_form.html", status=shown_status(form), **ctx)


@bp.post("/<int:endpoint_id>/rotate-secret")
def endpoint_rotate(endpoint_id: int):
    rotated = services.rotate_secret(endpoint_id, actor=current_user)
    return render("webhooks/secret.html", endpoint=rotated.endpoint, secret=rotated.secret)


@bp.post("/deliveries/<int:delivery_id>/resend")
def delivery_resend(delivery_id: int):
    copy = services.resend(delivery_id, actor=current_user)
    flash(f"Event {copy.event_id} queued again.", "success")
    return redirect(url_for("webhooks.endpoint_edit", endpoint_id=copy.endpoint_id), 303)


def _form_data(endpoint) -> SimpleNamespace:
    names = ("url", "description", "events", "include_personal_data", "active")
    return SimpleNamespace(**{name: getattr(endpoint, name) for name in names})
