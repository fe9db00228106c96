"""Worklists and the account page. Each handler parses input, calls one service, renders."""

from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.accounts import export as account_export
from app.accounts import followups, listnav, queries, services
from app.accounts.forms import (
    MOVES,
    SORT_LABELS,
    AssignForm,
    FollowUpForm,
    MoveFollowUpForm,
    NoteForm,
    PriorityForm,
    StatusForm,
)
from app.accounts.states import allowed_targets
from app.accounts.workscore import explain
from app.audit import services as audit
from app.audit.readable import add_entity_labels, add_ref_finder
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.csvexport import stream_csv
from app.errors import NotFound, ValidationFailed
from app.extensions import htmx
from app.forms import BaseForm, filter_errors, options
from app.htmx import render
from app.paging import Total, page_number

bp = Blueprint("accounts", __name__)
bp.record_once(lambda state: add_entity_labels(state.app, "account", queries.account_labels))
bp.record_once(lambda state: add_ref_finder(state.app, queries.account_entities))
TIMELINE_PAGE = 15  # timeline entries per "More"
PANELS = "account_page_panels"  # app.extensions key: the cards other packages add to the account page


@bp.get("/worklist")
@login_required
@roles_required(Role.COLLECTOR)
def worklist():
    """A collector's own accounts."""
    return _account_list("accounts.worklist", "My worklist")


@bp.get("/accounts/")
@login_required
@roles_required(Role.ADMIN)
def index():
    """All accounts of the admin's agency."""
    return _account_list("accounts.index", "All accounts")


def _account_list(endpoint: str, title: str):
    form = listnav.filter_form(request.args)
    page_no = page_number()
    valid = form.validate()
    size = current_app.config["PAGE_SIZE"]
    filters = form.to_filters() if valid else None
    page = queries.list_accounts(current_user, filters, page_no, size) if valid else None
    agency = current_user.agency
    whys = explain(page.items, agency.timezone, agency.currency) if valid and filters.sort == "score" else None
    list_qs = urlencode([(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "count") and v])
    total = _total(filters, page) if valid else None
    ctx = dict(form=form, page=page, total=total, endpoint=endpoint, title=title, sort_labels=SORT_LABELS)
    ctx.update(whys=whys, list_qs=list_qs)
    return render("accounts/index.html", block=_list_block(), status=200 if valid else 422, **ctx)


def _total(filters, page) -> Total | None:
    """The list's total: known from the page itself on its last page; otherwise counted only when asked for
    (``count=1``: the htmx request the page sends once shown, or the no-JS link), so that counting never slows
    the list down (docs/performance.md)."""
    if not page.has_next and (page.items or page.number == 1):
        return Total(page.first_index - 1 + len(page.items))
    return queries.count_accounts(current_user, filters) if request.args.get("count") == "1" else None


@bp.get("/accounts/export.csv")
@login_required
def export():
    """The list as CSV with its filters and sort: an admin's of the agency, a collector's of their own accounts."""
    form = listnav.filter_form(request.args)
    if not form.validate():
        raise ValidationFailed("Some filters are not valid.", filter_errors(form))
    rows = account_export.export_accounts(current_user, form.to_filters())
    finish = partial(audit.record_export, current_user, "accounts", form.data)
    return stream_csv("accounts.csv", account_export.header(), rows, finish)


def _list_block() -> str | None:
    return {"account-table": "account_table", "list-total": "list_total"}.get(htmx.target)


@bp.get("/accounts/<int:account_id>")
@login_required
def show(account_id: int):
    account = queries.get_account(current_user, account_id)
    return render_account_page(account)


@bp.get("/accounts/<int:account_id>/timeline")
@login_required
def timeline(account_id: int):
    """One more page of the timeline (htmx 'more'); without JS, the account page showing that page."""
    account = queries.get_account(current_user, account_id)
    page_no = page_number(default=2)
    if not htmx:
        return redirect(url_for("accounts.show", account_id=account.id, page=page_no))
    page = queries.get_timeline(account, page_no, TIMELINE_PAGE)
    return render("accounts/show.html", block="timeline_page", account=account, timeline=page)


@bp.post("/accounts/<int:account_id>/notes")
@login_required
def add_note(account_id: int):
    form = NoteForm()
    return run_account_action(
        account_id,
        form,
        lambda: services.add_note(account_id, form.body.data, actor=current_user),
        "Note added.",
        note_form=form,
    )


@bp.post("/accounts/<int:account_id>/status")
@login_required
def change_status(account_id: int):
    form = StatusForm()
    act = lambda: services.change_status(account_id, form.status.data, form.note.data, actor=current_user)  # noqa: E731
    return run_account_action(account_id, form, act, "Status updated.", status_form=form)


@bp.post("/accounts/<int:account_id>/assignment")
@login_required
@roles_required(Role.ADMIN)
def assign(account_id: int):
    form = AssignForm()
    form.collector_id.choices = options(
        (c.id, c.full_name) for c in queries.list_collectors(current_user, active_only=True)
    )
    act = lambda: services.assign_collector(account_id, form.collector_id.data, actor=current_user)  # noqa: E731
    return run_account_action(account_id, form, act, "Account assigned.", assign_form=form)


@bp.get("/accounts/<int:account_id>/next")
@login_required
def next_account(account_id: int):
    """The account after this one in the list the collector came from (``list``: its query string)."""
    queries.get_account(current_user, account_id)
    return redirect(listnav.next_url(account_id, listnav.next_id(account_id)), 303)


@bp.post("/accounts/<int:account_id>/priority")
@login_required
@roles_required(Role.ADMIN)
def set_priority(account_id: int):
    form = PriorityForm()
    act = lambda: followups.set_priority(account_id, int(form.priority.data), actor=current_user)  # noqa: E731
    return run_account_action(account_id, form, act, "Priority updated.", priority_form=form)


@bp.post("/accounts/<int:account_id>/follow-ups")
@login_required
def add_follow_up(account_id: int):
    form = FollowUpForm()
    act = lambda: followups.add_follow_up(  # noqa: E731
        account_id, form.due_at(current_user.agency.timezone), form.reason.data, actor=current_user
    )
    return run_account_action(account_id, form, act, "Follow-up set.", follow_up_form=form)


@bp.post("/accounts/<int:account_id>/follow-ups/<int:follow_up_id>/done")
@login_required
def complete_follow_up(account_id: int, follow_up_id: int):
    act = lambda: followups.complete_follow_up(follow_up_id, actor=current_user)  # noqa: E731
    return run_account_action(account_id, BaseForm(), act, "Follow-up done.")  # the CSRF check alone


@bp.post("/accounts/<int:account_id>/follow-ups/<int:follow_up_id>/move")
@login_required
def move_follow_up(account_id: int, follow_up_id: int):
    form = MoveFollowUpForm()
    act = lambda: followups.move_follow_up(follow_up_id, _moved(account_id, follow_up_id, form), actor=current_user)  # noqa: E731
    return run_account_action(account_id, form, act, "Follow-up moved.")


def _moved(account_id: int, follow_up_id: int, form):
    """The follow-up's due time plus the chosen days (NotFound for a follow-up not open on this account)."""
    account = queries.get_account(current_user, account_id)
    due = next((f.due_at for f in followups.open_follow_ups(account) if f.id == follow_up_id), None)
    if due is None:
        raise NotFound("Follow-up not found.")
    return due + timedelta(days=int(form.days.data))


def run_account_action(account_id: int, form, action, success: str, **forms):
    """Run an action of the account page (notes, status, assignment, follow-ups, payments, refunds).

    On success: a flash message and 303 back to the account, or with "Save and next" (``then=next``) on to the
    next account of the list the collector came from. Otherwise: the page's main block with the errors on the
    form, status 422."""
    queries.get_account(current_user, account_id)  # 404 before any form feedback on a foreign id
    if form.validate_on_submit():
        # The next account is taken before the action, which may move this one in the list's order
        following = _following(account_id)
        try:
            action()
            flash(success, "success")
            return listnav.after_action(account_id, following)
        except ValidationFailed as exc:
            attach_errors(form, exc)
    return render_account_page(queries.get_account(current_user, account_id), status=422, **forms)


def _following(account_id: int) -> list | None:  # a list: [None] is "end of the list", None "not asked"
    """With "Save and next": [the next account's id or None at the end of the list]; else None."""
    if request.form.get("then") != "next":
        return None
    return [listnav.next_id(account_id)]


def attach_errors(form, exc: ValidationFailed) -> None:
    """Put a service's refusal on the form: on its fields, or above the form when no field matches."""
    for name, message in exc.fields.items():
        if name in form:
            form[name].errors = list(form[name].errors) + [message]
    if not any(name in form for name in exc.fields):
        form.form_errors.append(exc.message)


def render_account_page(account, status: int = 200, **forms):
    """The account page (or its main block for htmx), with the action forms it offers."""
    ctx = dict(
        account=account,
        timeline=_timeline_so_far(account),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        status_form=_status_form(account, forms.get("status_form")),
        assign_form=_assign_form(forms.get("assign_form")),
        priority_form=forms.get("priority_form") or PriorityForm(formdata=None, priority=str(account.priority)),
        follow_up_form=forms.get("follow_up_form") or FollowUpForm(formdata=None),
        move_days=MOVES.items(),
        follow_ups=followups.open_follow_ups(account),
        list_qs=listnav.list_args(),
        seen=listnav.seen_text() or "",
        next_url=listnav.next_link(account.id),
        same_debtor=queries.get_same_debtor(current_user, account),
    )
    for panel in current_app.extensions.get(PANELS, ()):
        ctx.update(panel(account, current_user, forms))
    block = "account_main" if htmx.target == "account-main" else None
    return render("accounts/show.html", block=block, status=status, **ctx)


def add_account_panel(app: Flask, panel) -> None:
    """Add a card to the account page: ``panel(account, viewer, forms)`` returns its template context.

    Packages above accounts (payments) add their cards this way, so accounts never imports them.
    """
    app.extensions.setdefault(PANELS, []).append(panel)


def _timeline_so_far(account):
    """Timeline pages 1..N in one list (``?page=N``), so 'More' works without JavaScript too."""
    pages = min(page_number(), 50)
    timeline = queries.get_timeline(account, 1, size=TIMELINE_PAGE * pages)
    timeline.number, timeline.size = pages, TIMELINE_PAGE
    return timeline


def _status_form(account, form=None) -> StatusForm:
    form = form or StatusForm(formdata=None)
    form.status.choices = options((s.value, s.label) for s in allowed_targets(account.status))
    return form


def _assign_form(form=None) -> AssignForm:
    """Active collectors to choose from. Their open-account counts are not shown: counting them for every
    collector on each page view costs hundreds of ms at a million accounts; the service checks the chosen one."""
    form = form or AssignForm(formdata=None)
    collectors = queries.list_collectors(current_user, active_only=True) if current_user.is_admin else []
    form.collector_id.choices = options(
        (c.id, f"{c.full_name} (max {c.collector_profile.max_open_accounts} open)") for c in collectors
    )
    return form
