"""Imports pages (admins): the job list with the upload form, a job's live page, its errors, sources."""

from flask import Blueprint, Response, flash, redirect, request, stream_with_context, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.decorators import roles_required
from app.auth.models import Role
from app.errors import ValidationFailed
from app.extensions import htmx
from app.forms import filter_errors
from app.htmx import render, render_blocks, wants_fragment
from app.imports import queries
from app.imports.forms import ImportSourceForm, JobListForm, UploadForm
from app.imports.services import receive, sources
from app.paging import page_number

bp = Blueprint("imports", __name__, url_prefix="/imports")


@bp.before_request
@login_required
@roles_required(Role.ADMIN)
def require_admin():
    """Every imports page is for admins only."""


@bp.get("/")
def index():
    """The agency's imports, newest first, with the upload form and the sources' "Check now"."""
    return _index(UploadForm())


def _index(form: UploadForm, status: int = 200):
    days = _days()
    page = queries.list_jobs(current_user, page_number(), days=days)
    block = "job_table" if htmx.target == "job-table" else None
    ctx = dict(form=form, page=page, days=days, sources=queries.list_sources(current_user))
    return render("imports/index.html", block=block, status=status, **ctx)


def _days() -> int | None:
    """The list's ``days`` filter; ValidationFailed (422) for anything but a whole number of days."""
    form = JobListForm(request.args)
    if not form.validate():
        raise ValidationFailed("Some filters are not valid.", filter_errors(form))
    return form.days.data


@bp.post("/upload")
def upload():
    """The upload fallback: the file goes through the same pipeline as SFTP files."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    file = form.file.data
    job = receive.receive_upload(current_user.agency_id, file.stream, file.filename or "upload.csv", actor=current_user)
    return redirect(url_for("imports.show", job_id=job.id), 303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    form = UploadForm(formdata=None)
    limit = (request.max_content_length or 0) // (1024 * 1024)
    form.file.errors = [f"The file is larger than the {limit} MB upload limit. Send big files by SFTP instead."]
    return _index(form, 413)


@bp.get("/<int:job_id>")
def show(job_id: int):
    """A job's page; its status block polls every 2 s while the job is queued or running, and the poll that finds
    it ended also brings the final rejected rows (out of band)."""
    job = queries.get_job(current_user, job_id)
    errors = queries.list_row_errors(job, page_number())
    if htmx.target == "job-status" and not job.status.active:
        return render_blocks("imports/show.html", ["job_status", "row_errors"], job=job, errors=errors, oob=True)
    block = {"job-status": "job_status", "row-errors": "row_errors"}.get(htmx.target or "")
    return render("imports/show.html", block=block, job=job, errors=errors)


@bp.get("/<int:job_id>/errors.csv")
def error_report(job_id: int):
    """The job's rejected rows as a CSV download (formula characters neutralised)."""
    job = queries.get_job(current_user, job_id)
    body = stream_with_context(queries.error_report_lines(job))
    headers = {"Content-Disposition": f'attachment; filename="import-{job.id}-errors.csv"'}
    return Response(body, mimetype="text/csv", headers=headers)


@bp.get("/sources/")
def source_list():
    """Settings: the agency's import sources."""
    return render("imports/sources.html", sources=queries.list_sources(current_user))


@bp.route("/sources/new", methods=["GET", "POST"])
def source_new():
    return _source_form(ImportSourceForm(), None)


@bp.route("/sources/<int:source_id>", methods=["GET", "POST"])
def source_edit(source_id: int):
    source = queries.get_source(current_user, source_id)
    return _source_form(ImportSourceForm(obj=source if request.method == "GET" else None), source)


def _source_form(form: ImportSourceForm, source):
    if form.validate_on_submit():
        try:
            source = sources.save_source(form.to_values(), actor=current_user, source=source)
            flash("Import source saved.", "success")
            return redirect(url_for("imports.source_list"), 303)
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                form[name].errors = [message]
    status = 422 if request.method == "POST" else 200
    return render("imports/source_form.html", status=status, form=form, source=source)


@bp.post("/sources/<int:source_id>/test")
def source_test(source_id: int):
    """ "Test connection": success or the precise failure, shown next to the button."""
    ok, message = sources.test_connection(queries.get_source(current_user, source_id))
    result = dict(ok=ok, message=message, source_id=source_id)
    if wants_fragment():
        return render("imports/sources.html", block="test_result", **result)
    return render("imports/sources.html", sources=queries.list_sources(current_user), **result)  # no JS: in its row


@bp.post("/sources/<int:source_id>/check")
def source_check(source_id: int):
    """ "Check now": poll the source in the background, then show the imports list."""
    sources.check_now(queries.get_source(current_user, source_id), actor=current_user)
    flash("Checking the source now; new files appear below.", "success")
    return redirect(url_for("imports.index"), 303)
