"""Payment pages: the list, the account page's payment actions, and the debtor's public pay page."""

from functools import partial
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request
from flask_login import current_user, login_required

from app.accounts.views import add_account_panel, run_account_action
from app.audit import services as audit
from app.audit.readable import add_entity_labels, add_ref_finder
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.csvexport import stream_csv
from app.errors import ValidationFailed
from app.extensions import htmx
from app.forms import filter_errors
from app.headers import csp_sources
from app.htmx import render
from app.paging import page_number
from app.payments import export as payment_export
from app.payments import queries
from app.payments.card import payment_card
from app.payments.forms import CardRequestForm, ManualPaymentForm, PaymentFilterForm, RefundForm
from app.payments.services import record, refunds, stripe_payments
from app.payments.services.breaker import stripe_breaker

bp = Blueprint("payments", __name__, url_prefix="/payments")
PAY_PAGE_STATUS = {"expired": 410, "unavailable": 503}
bp.record_once(lambda state: add_account_panel(state.app, payment_card))  # the account page's payment card
bp.record_once(lambda state: add_entity_labels(state.app, "payment", queries.payment_labels))
bp.record_once(lambda state: add_ref_finder(state.app, queries.payment_entities))


@bp.get("/")
@login_required
def index():
    """The agency's payments (a collector's: on their own accounts), filterable, with commission totals."""
    form = PaymentFilterForm(request.args)
    valid = form.validate()
    page_no = page_number()
    size = current_app.config["PAGE_SIZE"]
    filters = form.to_filters() if valid else None
    page = queries.list_payments(current_user, filters, page_no, size) if valid else None
    total = queries.count_payments(current_user, filters) if valid else None
    ctx = dict(form=form, page=page, total=total, totals=queries.commission_totals(current_user))
    block = "payment_table" if htmx.target == "payment-table" else None
    return render(
        "payments/index.html", block=block, status=200 if valid else 422, breaker=stripe_breaker().state(), **ctx
    )


@bp.get("/export.csv")
@login_required
def export():
    """The list as CSV with its filters and sort: an admin's of the agency, a collector's on their own accounts."""
    form = PaymentFilterForm(request.args)
    if not form.validate():
        raise ValidationFailed("Some filters are not valid.", filter_errors(form))
    rows = payment_export.export_payments(current_user, form.to_filters())
    finish = partial(audit.record_export, current_user, "payments", form.data)
    return stream_csv("payments.csv", payment_export.HEADER, rows, finish)


@bp.post("/accounts/<int:account_id>/manual")
@login_required
def record_manual(account_id: int):
    form = ManualPaymentForm()
    act = lambda: record.record_manual_payment(  # noqa: E731
        account_id,
        form.amount.data,
        form.method.data,
        form.reference.data,
        form.received_on.data,
        form.idempotency_key.data,
        actor=current_user,
    )
    return run_account_action(account_id, form, act, "Payment recorded.", manual_form=form)


@bp.post("/accounts/<int:account_id>/card")
@login_required
def request_card(account_id: int):
    form = CardRequestForm()
    act = lambda: stripe_payments.request_card_payment(  # noqa: E731
        account_id, form.amount.data, form.idempotency_key.data, actor=current_user
    )
    return run_account_action(
        account_id, form, act, "Card payment requested: send the debtor the pay link.", card_form=form
    )


@bp.post("/<int:payment_id>/refund")
@login_required
@roles_required(Role.ADMIN)
def refund(payment_id: int):
    payment = queries.get_payment(current_user, payment_id)
    form = RefundForm(prefix=f"refund-{payment.id}")
    act = lambda: refunds.refund_payment(  # noqa: E731
        payment.id, form.amount.data, form.reason.data, form.idempotency_key.data, actor=current_user
    )
    return run_account_action(payment.account_id, form, act, "Refund recorded.", refund_form=(payment.id, form))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_page_sources() -> dict[str, list[str]]:
    """What Stripe.js needs on the pay page: its script and frames (3-D Secure ones on hooks.stripe.com) and the
    API it calls from the browser. The configured origins point at a stand-in in tests; Stripe's own hosts are
    kept for the browser side when the server reaches Stripe through another base URL."""
    if not current_app.config["STRIPE_JS_URL"]:
        return {}
    js, api = _origin(current_app.config["STRIPE_JS_URL"]), _origin(current_app.config["STRIPE_API_BASE"])
    return {
        "script-src": [js],
        "frame-src": list(dict.fromkeys([js, "https://js.stripe.com", "https://hooks.stripe.com"])),
        "connect-src": list(dict.fromkeys([api, "https://api.stripe.com"])),
    }


@bp.get("/pay/<token>")
@csp_sources(stripe_page_sources)
def pay(token: str):
    """The debtor's pay page (no login: the unguessable, expiring token is the credential)."""
    page = stripe_payments.get_pay_page(token)
    status = PAY_PAGE_STATUS.get(page.state, 200)
    return render(
        "payments/pay.html",
        page=page,
        token=token,
        js_url=current_app.config["STRIPE_JS_URL"],
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        status=status,
    )


@bp.get("/pay/<token>/done")
def pay_done(token: str):
    """Where Stripe.js sends the debtor after confirming: ask Stripe for the outcome and show it."""
    page = stripe_payments.get_pay_page(token)
    if page.state == "payable":
        stripe_payments.sync_payment(page.payment.id)
        page = stripe_payments.get_pay_page(token)
    return render("payments/pay.html", page=page, token=token, done=True, js_url="", publishable_key="")
