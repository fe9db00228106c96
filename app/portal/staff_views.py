"""The staff side of the portal: the account page's "Portal" card (create a sign-in link for the debtor) and the
admins' portal settings (smallest payment, colours, logo)."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.accounts.views import add_account_panel, run_account_action
from app.auth.decorators import roles_required
from app.auth.models import Role, User
from app.forms import run_service, shown_status
from app.htmx import render
from app.portal import access, queries
from app.portal.forms import PortalSettingsForm, SignOutForm
from app.portal.settings import portal_settings, update_portal_settings

bp = Blueprint("portal_staff", __name__)
LINKS_SHOWN = 3


def portal_card(account, viewer: User, forms: dict) -> dict:
    """Context for the account page's Portal card: the account's live links, newest first."""
    links = queries.live_links(account, LINKS_SHOWN)
    return dict(portal_links=[(link, access.link_url(link)) for link in links])


bp.record_once(lambda state: add_account_panel(state.app, portal_card))


@bp.post("/accounts/<int:account_id>/portal-link")
@login_required
def create_link(account_id: int):
    """One button on the account page: a sign-in link for the debtor, shown on the Portal card."""
    form = SignOutForm()  # CSRF only
    act = lambda: access.create_link(account_id, actor=current_user)  # noqa: E731
    return run_account_action(account_id, form, act, "Portal link created: copy it from the Portal card.")


@bp.route("/settings/portal", methods=["GET", "POST"])
@login_required
@roles_required(Role.ADMIN)
def settings():
    """The agency's portal: smallest payment, colours and logo (applied to the portal's pages only)."""
    current = portal_settings(current_user.agency_id)
    form = PortalSettingsForm(obj=current if request.method == "GET" else None)
    act = lambda: update_portal_settings(form.data, form.logo_bytes(), actor=current_user)  # noqa: E731
    if form.validate_on_submit() and run_service(form, act):
        flash("Portal settings saved.", "success")
        return redirect(url_for("portal_staff.settings"), 303)
    return render("portal/settings.html", status=shown_status(form), form=form, current=current)
