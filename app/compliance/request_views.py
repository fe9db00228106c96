"""The account page's requests section (disputes, cease, attorney, bankruptcy, death), its documents, and the
dispute-policy settings page. Each handler parses the form, calls one service, renders."""

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.accounts.export import add_export_column
from app.accounts.views import add_account_panel, attach_errors, run_account_action
from app.agencyday import local_today
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.compliance import documents, holds, request_queries, requests, resolution
from app.compliance.policy import update_dispute_policy
from app.compliance.request_forms import DisputePolicyForm, RequestForm, ResolveForm, upload_of
from app.compliance.settings import settings_of
from app.errors import ValidationFailed
from app.htmx import render

bp = Blueprint("disputes", __name__)
REQUEST_PREFIX = "request"  # the account page's other forms have a note and a received_on too: ids stay unique


def requests_panel(account, viewer, forms) -> dict:
    """The context of ``compliance/_requests.html`` on the account page: the account's requests, their SLA,
    the XB flag, and the forms (with their errors after a failed post)."""
    agency = viewer.agency
    today = local_today(agency.timezone)
    rows = request_queries.list_requests(account)
    resolve_forms = {r.id: ResolveForm(formdata=None, prefix=f"resolve-{r.id}") for r in rows if not r.resolved_at}
    resolve_forms.update(forms.get("resolve_forms") or {})
    return dict(
        consumer_requests=rows,
        request_due={r.id: holds.verification_due(r, agency) for r in rows if r.kind in holds.HOLDING_KINDS},
        request_sla={r.id: holds.sla_state(r, agency, today) for r in rows},
        request_labels=request_queries.KIND_LABELS,
        holding_kinds=holds.HOLDING_KINDS,
        credit_xb=any(r.kind in holds.HOLDING_KINDS and not r.resolved_at for r in rows),
        on_hold=any(r.hold and not r.resolved_at for r in rows),
        request_form=forms.get("request_form") or RequestForm(formdata=None, prefix=REQUEST_PREFIX, received_on=today),
        resolve_forms=resolve_forms,
    )


bp.record_once(lambda state: add_account_panel(state.app, requests_panel))
bp.record_once(lambda state: add_export_column(state.app, "Credit reporting", holds.credit_reporting_condition))


@bp.post("/accounts/<int:account_id>/requests")
@login_required
def record_request(account_id: int):
    form = RequestForm(prefix=REQUEST_PREFIX)
    act = lambda: requests.record_request(  # noqa: E731
        account_id, form.to_request(), upload_of(form.document), actor=current_user
    )
    return run_account_action(account_id, form, act, "Request recorded.", request_form=form)


@bp.post("/accounts/<int:account_id>/requests/<int:request_id>/resolve")
@login_required
def resolve_request(account_id: int, request_id: int):
    form = ResolveForm(prefix=f"resolve-{request_id}")
    act = lambda: resolution.resolve_request(  # noqa: E731
        request_id,
        form.sent_on.data,
        upload_of(form.document),
        form.note.data or "",
        actor=current_user,
        account_id=account_id,
    )
    return run_account_action(account_id, form, act, "Request closed.", resolve_forms={request_id: form})


@bp.get("/accounts/<int:account_id>/documents/<int:document_id>")
@login_required
def download_document(account_id: int, document_id: int):
    """A stored document, always as an attachment (never rendered in the app's origin)."""
    document = request_queries.get_document(current_user, account_id, document_id)
    headers = {
        "Content-Disposition": f'attachment; filename="{_header_name(document.filename)}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(documents.read(document), mimetype="application/octet-stream", headers=headers)


def _header_name(filename: str) -> str:
    """The file name as a quoted header value keeps it: ASCII, no quotes or backslashes."""
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in filename)


@bp.route("/settings/dispute-policy", methods=["GET", "POST"])
@login_required
@roles_required(Role.ADMIN)
def dispute_policy():
    """Whether late, oral and duplicative disputes hold collection, and the verification deadline."""
    stored = settings_of(current_user.agency)
    form = DisputePolicyForm(data=stored if request.method == "GET" else None)
    if form.validate_on_submit() and _saved(form):
        flash("Dispute policy saved.", "success")
        return redirect(url_for("disputes.dispute_policy"), 303)
    return render("compliance/dispute_policy.html", status=422 if request.method == "POST" else 200, form=form)


def _saved(form) -> bool:
    try:
        update_dispute_policy(form.values(), actor=current_user)
        return True
    except ValidationFailed as exc:
        attach_errors(form, exc)
        return False
