"""The bulk page (a selection from the accounts list and the actions on it) and an operation's progress page."""

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required

from app.accounts.views import attach_errors
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.bulk import pages, services
from app.bulk.forms import FORMS
from app.bulk.selection import Selection, parse_ids
from app.errors import ValidationFailed
from app.extensions import htmx
from app.htmx import render

bp = Blueprint("bulk", __name__, url_prefix="/accounts/bulk")


@bp.get("/")
@login_required
@roles_required(Role.ADMIN)
def new():
    """The actions on the accounts picked on the list (``ids``), or on all matching its filters (``scope=all``)."""
    if request.args.get("scope") == "all":
        selection = Selection(query=request.args.get("match", ""))
    else:
        selection = Selection(ids=parse_ids(request.args.getlist("ids")))
    return render("bulk/new.html", **pages.bulk_page(current_user, selection))


@bp.post("/<action>")
@login_required
@roles_required(Role.ADMIN)
def create(action: str):
    """Run (or queue) an action on the selection the form carries; 303 to its progress page."""
    form = FORMS.get(action) or abort(404)
    form = pages.action_form(current_user, action, form())
    if form.validate_on_submit():
        try:
            operation = services.submit_operation(action, form.selection(), form.params(), actor=current_user)
            return redirect(url_for("bulk.show", operation_id=operation.id), 303)
        except ValidationFailed as exc:
            attach_errors(form, exc)
    context = pages.bulk_page(current_user, pages.safe_selection(form), {action: form})
    return render("bulk/new.html", status=422, **context)


@bp.get("/<int:operation_id>")
@login_required
@roles_required(Role.ADMIN)
def show(operation_id: int):
    """An operation's progress and outcome (its status block polls while it runs)."""
    operation = services.get_operation(current_user, operation_id)
    block = "operation_status" if htmx.target == "operation-status" else None
    return render("bulk/show.html", block=block, operation=operation, list_url=list_url(operation.selection))


def list_url(selection: dict) -> str:
    """The accounts list with the selection's filters (or unfiltered, for picked ids)."""
    query = selection.get("query")
    return url_for("accounts.index") + (f"?{query}" if query else "")
