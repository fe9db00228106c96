"""The admin's audit log page and its CSV export."""

from functools import partial

from flask import Blueprint, request
from flask_login import current_user, login_required

from app.audit import export, queries
from app.audit import services as audit
from app.audit.forms import AuditFilterForm
from app.audit.readable import readable
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.csvexport import stream_csv
from app.errors import ValidationFailed
from app.extensions import htmx
from app.forms import filter_errors, options
from app.htmx import render
from app.paging import page_number

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@login_required
@roles_required(Role.ADMIN)
def index():
    form = _filter_form()
    valid = form.validate()
    page_no = page_number()
    filters = form.to_filters() if valid else None
    page = queries.list_events(current_user, filters, page_no) if valid else None
    total = queries.count_events(current_user, filters) if valid else None
    events = readable(page.items, current_user.agency_id) if page else []
    block = "audit_table" if htmx.target == "audit-table" else None
    ctx = dict(form=form, page=page, total=total, events=events)
    return render("audit/index.html", block=block, status=200 if valid else 422, **ctx)


@bp.get("/export.csv")
@login_required
@roles_required(Role.ADMIN)
def export_csv():
    """The log as CSV with its filters and order."""
    form = _filter_form()
    if not form.validate():
        raise ValidationFailed("Some filters are not valid.", filter_errors(form))
    rows = export.export_events(current_user, form.to_filters())
    return stream_csv(
        "audit-log.csv", export.HEADER, rows, partial(audit.record_export, current_user, "audit", form.data)
    )


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.entity_type.choices = options([("", "Any entity")] + [(t, t) for t in queries.list_entity_types(current_user)])
    form.actor.choices = options([(None, "Anyone")] + [(u.id, u.full_name) for u in queries.list_actors(current_user)])
    return form
