"""Working through a list from the account page: the list an account was opened from (its query string,
``list``) and the accounts already worked from it in a row (``seen``) travel with each account page, so "Next
account" and "Save and next" go on in that list's order and filters without returning to it."""

from urllib.parse import parse_qsl

from flask import flash, make_response, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.accounts import queries
from app.accounts.forms import WorklistFilterForm
from app.extensions import htmx
from app.htmx import hx_redirect

MAX_LIST_ARGS = 1000  # the list's query string carried on the account page; a longer one is ignored
MAX_SEEN = 100  # accounts worked in a row that "next" skips (the newest kept)


def next_id(account_id: int) -> int | None:
    """The next account of the list, skipping those already worked in this run (a worked account may have
    dropped below the one being worked now)."""
    return queries.next_account_id(current_user, _list_filters(), account_id, skip=_seen())


def after_action(account_id: int, following: list | None):
    """Where an action of the account page lands: the account again, or with "Save and next" the next one."""
    if following is None:
        return redirect(account_url(account_id), 303)
    url = next_url(account_id, following[0])
    return hx_redirect(make_response("", 200), url) if htmx else redirect(url, 303)


def list_args() -> str:
    """The query string of the list the account was opened from (``list``), carried from page to page."""
    value = request.values.get("list", "")
    return value if len(value) <= MAX_LIST_ARGS else ""


def _list_filters():
    """The filters of that list (the list's defaults when it has none or they don't validate)."""
    form = filter_form(MultiDict(parse_qsl(list_args())))
    return (form if form.validate() else filter_form(MultiDict())).to_filters()


def filter_form(formdata) -> WorklistFilterForm:
    """The list's filter form on ``formdata`` for the signed-in user: an admin's collectors and defaults."""
    form = WorklistFilterForm(formdata)
    form.set_collectors(queries.list_collectors(current_user) if current_user.is_admin else [])
    if current_user.is_admin:
        form.admin_defaults()
    return form


def _seen() -> list[int]:
    """The accounts worked in a row from this list (``seen``: comma-separated ids), the newest ``MAX_SEEN``."""
    ids = [int(part) for part in request.values.get("seen", "")[: MAX_SEEN * 12].split(",") if part.isdigit()]
    return ids[-MAX_SEEN:]


def seen_text() -> str | None:
    return ",".join(map(str, _seen())) or None


def account_url(account_id: int, seen: list[int] | None = None) -> str:
    seen = _seen() if seen is None else seen
    carried = {"list": list_args(), "seen": ",".join(map(str, seen))}
    return url_for("accounts.show", account_id=account_id, **{k: v for k, v in carried.items() if v})


def list_url() -> str:
    endpoint = "accounts.index" if current_user.is_admin else "accounts.worklist"
    return url_for(endpoint) + (f"?{list_args()}" if list_args() else "")


def next_url(account_id: int, next_id: int | None) -> str:
    """The next account's page, or the list itself (with a message) at its end."""
    if next_id is None:
        flash("That was the last account of this list.", "info")
        return list_url()
    return account_url(next_id, [*_seen(), account_id][-MAX_SEEN:])


def next_link(account_id: int) -> str:
    """The account page's "Next account" link, carrying the list and the accounts worked."""
    return url_for("accounts.next_account", account_id=account_id, list=list_args() or None, seen=seen_text())
