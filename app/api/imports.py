"""``/api/v1/imports`` (admins): the agency's imports, their row errors, uploads and polls, through the pipeline
the imports pages use."""

from flask import request, url_for
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from app.api import limits, paging
from app.api.core import ID, ApiBlueprint
from app.api.security import guard
from app.auth.tokens import Scope
from app.errors import ValidationFailed
from app.imports import queries
from app.imports.models import ImportJob, ImportRowError
from app.imports.services import receive, sources

bp = ApiBlueprint("api_imports", __name__, url_prefix="/api/v1/imports", description="CSV imports (admins).")
limits.apply(bp)
guard(bp, Scope.IMPORTS, admin_only=True)


class ImportJobSchema(Schema):
    id = fields.Integer()
    file_name = fields.String()
    source = fields.Function(lambda j: j.source.name if j.source else None)
    status = fields.String()
    trigger = fields.String()
    total_records = fields.Integer(attribute="total")
    processed_ok = fields.Integer(attribute="ok")
    processed_errors = fields.Integer(attribute="errors")
    created = fields.Integer()
    updated = fields.Integer()
    progress = fields.Integer(attribute="percent", metadata={"description": "percent of the file's lines done"})
    message = fields.String()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(attribute="finished_at", allow_none=True)
    url = fields.Function(lambda j: url_for("api_imports.get_import", job_id=j.id, _external=True))


class RowErrorSchema(Schema):
    id = fields.Integer()
    line = fields.Integer(attribute="line_no")
    column = fields.String()
    error = fields.String(attribute="message")
    external_ref = fields.String()


class UploadSchema(Schema):
    file = Upload(required=True)


class TriggerSchema(Schema):
    status = fields.String()
    sources = fields.Integer()


@bp.route("/", methods=["GET"])
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paging.page_schema(ImportJobSchema, "ImportJobPage"))
def list_imports(args):
    """The agency's imports, newest first."""
    return paging.by_id_desc(queries.jobs_statement(current_user), ImportJob.id, args)


@bp.route("/", methods=["POST"])
@bp.arguments(UploadSchema, location="files")
@bp.response(202, ImportJobSchema)
def upload(files):
    """Upload a CSV file: it runs through the same pipeline as SFTP files; 202 with the job (poll its url)."""
    if request.form:  # fields besides the file are refused, like unknown fields of a JSON body
        raise ValidationFailed("Send only the file.", {name: "Unknown field." for name in request.form})
    file = files["file"]
    return receive.receive_upload(
        current_user.agency_id, file.stream, file.filename or "upload.csv", actor=current_user
    )


@bp.route("/trigger/", methods=["POST"])
@bp.response(202, TriggerSchema)
def trigger():
    """Poll every enabled source of the agency now (in the background)."""
    polled = [s for s in queries.list_sources(current_user) if s.enabled]
    for source in polled:
        sources.check_now(source, actor=current_user)
    return {"status": "triggered", "sources": len(polled)}


@bp.route(f"/<{ID}:job_id>/", methods=["GET"])
@bp.response(200, ImportJobSchema)
def get_import(job_id: int):
    """One import: counts, status, progress."""
    return queries.get_job(current_user, job_id)


@bp.route(f"/<{ID}:job_id>/errors/", methods=["GET"])
@bp.arguments(paging.PageArgs, location="query")
@bp.response(200, paging.page_schema(RowErrorSchema, "RowErrorPage"))
def errors(args, job_id: int):
    """The import's rejected rows (newest entries first)."""
    job = queries.get_job(current_user, job_id)
    return paging.by_id_desc(queries.row_errors_statement(job), ImportRowError.id, args)
