"""The account page's validation notices card: record a notice sent (the PDF is generated and kept), download
a notice's PDF. The card's context comes from :func:`notice_card`, added to the account page as a panel."""

from flask import Blueprint
from flask_login import current_user, login_required

from app.accounts.models import Account
from app.accounts.views import add_account_panel, run_account_action
from app.agencies.models import Agency
from app.agencyday import local_today
from app.auth.models import User
from app.compliance import notice_queries, notices
from app.compliance.downloads import document_download
from app.compliance.notice_forms import ValidationNoticeForm
from app.extensions import db

bp = Blueprint("notices", __name__)
bp.record_once(lambda state: add_account_panel(state.app, notice_card))


def notice_card(account: Account, viewer: User, forms: dict) -> dict:
    """Context of ``compliance/_notices.html``: the itemization (None: cannot send notice) and its payments and
    credits line as the notice prints it, the notices sent, the countdown to the notice due, the form to record one."""
    today = local_today(db.session.get(Agency, account.agency_id).timezone)
    itemization = notice_queries.get_itemization(account)
    credits = notices.credits_since(itemization, account.current_balance) if itemization else None
    return dict(
        itemization=itemization,
        credits_since=credits,
        can_send_notice=credits is not None and credits >= 0,
        validation_notices=notice_queries.list_notices(account),
        notice_due=notice_queries.notice_countdown(account, today),
        notice_form=forms.get("notice_form") or ValidationNoticeForm(formdata=None, sent_on=today),
    )


@bp.post("/accounts/<int:account_id>/validation-notices")
@login_required
def send(account_id: int):
    form = ValidationNoticeForm()
    act = lambda: notices.send_notice(  # noqa: E731
        current_user, account_id, sent_on=form.sent_on.data, channel=form.channel.data, language=form.language.data
    )
    return run_account_action(account_id, form, act, "Validation notice recorded.", notice_form=form)


@bp.get("/accounts/<int:account_id>/validation-notices/<int:notice_id>.pdf")
@login_required
def download(account_id: int, notice_id: int):
    """The notice's PDF exactly as stored (404 for a notice of an account the user may not see)."""
    return document_download(*notice_queries.notice_pdf(current_user, account_id, notice_id))
