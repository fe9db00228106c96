"""The admin's audit log page."""

from flask import Blueprint, request
from flask_login import current_user, login_required

from app.audit import queries
from app.audit.forms import AuditFilterForm
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.extensions import htmx
from app.forms import options
from app.htmx import render
from app.paging import page_number

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@login_required
@roles_required(Role.ADMIN)
def index():
    form = AuditFilterForm(request.args)
    form.entity_type.choices = options([("", "Any entity")] + [(t, t) for t in queries.list_entity_types(current_user)])
    form.actor.choices = options([(None, "Anyone")] + [(u.id, u.full_name) for u in queries.list_actors(current_user)])
    valid = form.validate()
    page_no = page_number()
    page = queries.list_events(current_user, form.to_filters(), page_no) if valid else None
    block = "audit_table" if htmx.target == "audit-table" else None
    return render("audit/index.html", block=block, status=200 if valid else 422, form=form, page=page)
