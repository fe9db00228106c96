"""The debtor portal (``/portal/<agency slug>/``): sign in with a link or with facts, see accounts, pay by card.

Its session is its own cookie (``COOKIE``, path ``/portal/``) naming a ``portal_sessions`` row; Flask-Login's
staff session is never read here, and staff pages never read this cookie.
"""

from functools import wraps

from flask import Blueprint, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from app import tenancy
from app.compliance import documents, holds
from app.compliance.downloads import document_download
from app.compliance.notice_queries import list_notices
from app.errors import NotFound, ValidationFailed
from app.headers import csp_sources
from app.htmx import render
from app.payments.services.ledger import takes_payments
from app.payments.views import stripe_page_sources
from app.plans.services import active_plan
from app.portal import access, disputes, queries
from app.portal import payments as portal_payments
from app.portal import plans as portal_plans
from app.portal.forms import DisputeForm, PlanForm, PortalPaymentForm, SignInForm, SignOutForm
from app.portal.settings import portal_settings
from app.portal.templating import gettext, portal_context

bp = Blueprint("portal", __name__, url_prefix="/portal")
bp.context_processor(portal_context)
COOKIE, COOKIE_PATH = "debtflow_portal", "/portal/"


@bp.url_value_preprocessor
def load_visit(_endpoint, values) -> None:
    """The agency of the URL, and the debtor's live session there."""
    slug = (values or {}).pop("slug", None)
    g.portal_agency = access.get_agency(slug) if slug else None
    g.portal_visit = access.load_session(request.cookies.get(COOKIE), g.portal_agency) if slug else None


@bp.before_request
def scope_to_visit() -> None:
    """Row-level security follows the debtor's agency; this runs after the app's own hook, which would scope a
    request to a signed-in staff member's agency when the same browser holds both sessions."""
    if g.portal_visit:
        tenancy.scope(g.portal_visit.agency_id)


@bp.url_defaults
def add_slug(endpoint: str, values: dict) -> None:
    if "slug" not in values and g.get("portal_agency") and current_app.url_map.is_endpoint_expecting(endpoint, "slug"):
        values["slug"] = g.portal_agency.slug


def signed_in(view):
    """Send a visitor without a live session to the sign-in page, saying so if their session just ended."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.portal_visit is None:
            ended = "ended" if request.cookies.get(COOKIE) else None
            return redirect(url_for("portal.sign_in", note=ended), 303)
        return view(*args, **kwargs)

    return wrapper


@bp.errorhandler(NotFound)
def not_found(_exc):
    return render("portal/not_found.html", status=404)


@bp.get("/")
def index():
    """No agency in the URL: the debtor is told to use the address on their letter (agencies are not listed)."""
    return render("portal/index.html")


@bp.route("/<slug>/", methods=["GET", "POST"])
def sign_in():
    """Sign in with the account reference, last name, ZIP code and (where on file) date of birth or SSN last 4."""
    if g.portal_visit is not None:
        return redirect(url_for("portal.accounts"), 303)
    form = SignInForm()
    if not form.validate_on_submit():
        return render("portal/sign_in.html", form=form, status=422 if form.errors else 200)
    facts = access.Facts(form.last_name.data, form.postal_code.data, form.date_of_birth.data, form.ssn_last4.data or "")
    act = lambda: access.sign_in_with_facts(g.portal_agency, form.reference.data, facts)  # noqa: E731
    return _enter(act, lambda exc: render("portal/sign_in.html", form=form, refusal=exc.message, status=422))


@bp.get("/<slug>/link/<token>")
def from_link(token: str):
    """A link from a letter or email: the token is the proof; the session cookie replaces it at once."""
    act = lambda: access.sign_in_with_link(g.portal_agency, token)  # noqa: E731
    return _enter(act, lambda exc: render("portal/sign_in.html", form=SignInForm(), refusal=exc.message, status=410))


def _enter(act, refused) -> Response:
    try:
        token = act()
    except ValidationFailed as exc:
        return refused(exc)
    response = redirect(url_for("portal.accounts"), 303)
    # A browser-session cookie: the server ends the session after IDLE minutes without a request
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    response.set_cookie(COOKIE, token, path=COOKIE_PATH, httponly=True, secure=secure, samesite="Lax")
    return response


@bp.post("/<slug>/sign-out")
@signed_in
def sign_out():
    if SignOutForm().validate_on_submit():
        access.end_session(g.portal_visit)
    response = redirect(url_for("portal.sign_in", note="signed_out"), 303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@bp.get("/<slug>/accounts/")
@signed_in
def accounts():
    return render("portal/accounts.html", accounts=queries.list_accounts(g.portal_visit))


@bp.get("/<slug>/accounts/<int:account_id>")
@signed_in
def account(account_id: int):
    """One account: balance, itemization, payment history, and the way to pay."""
    found = queries.get_account(g.portal_visit, account_id)
    return render("portal/account.html", **account_context(found))


@bp.post("/<slug>/accounts/<int:account_id>/pay")
@signed_in
def pay(account_id: int):
    """Start a card payment of the amount typed, then on to the card step; 422 with the reason otherwise."""
    form = PortalPaymentForm()
    found = queries.get_account(g.portal_visit, account_id)
    if form.validate_on_submit():
        try:
            key = form.idempotency_key.data
            payment = portal_payments.start_payment(g.portal_visit, found.id, form.amount.data, key)
            return redirect(url_for("portal.card", payment_id=payment.id), 303)
        except ValidationFailed as exc:
            form.amount.errors = [gettext(exc.message, **getattr(exc, "params", {}))]
    return render("portal/account.html", status=422, **account_context(found, form))


@bp.post("/<slug>/accounts/<int:account_id>/dispute")
@signed_in
def dispute(account_id: int):
    """File a written dispute or an original-creditor request; 422 with the reason otherwise."""
    form = DisputeForm()
    found = queries.get_account(g.portal_visit, account_id)
    if form.validate_on_submit():
        try:
            data = form.data
            disputes.file_request(
                g.portal_visit, g.portal_agency, found, data["kind"], data["amount"], data["statement"]
            )
            return redirect(url_for("portal.account", account_id=found.id, note="request_received") + "#dispute", 303)
        except ValidationFailed as exc:
            form.amount.errors = [gettext(exc.message, **getattr(exc, "params", {}))]
    return render("portal/account.html", status=422, **account_context(found, dispute_form=form))


# The notes a redirect back to the account page carries (``?note=``), each shown once in its section.
NOTES = ("request_received", "plan_agreed", "autopay_on", "autopay_off")


def account_context(found, form=None, dispute_form=None, plan_form=None, plan_refusal="") -> dict:
    """The account page's context; each section's form is a blank one unless a refusal brings it back."""
    low, high = portal_payments.amount_bounds(found)
    note = request.args.get("note")
    return dict(
        account=found,
        form=form or PortalPaymentForm(formdata=None),
        dispute_form=dispute_form or DisputeForm(formdata=None),
        plan_form=plan_form or PlanForm(formdata=None),
        plan_refusal=plan_refusal,
        plan=active_plan(found),
        plan_options=portal_plans.plan_options(found),
        note=note if note in NOTES else None,
        open_dispute=holds.has_open_dispute(found.id),
        low=low,
        high=high,
        itemization=queries.get_itemization(found),
        payments=queries.account_payments(found),
        takes_payments=takes_payments(found),
        notices=list_notices(found),
    )


@bp.get("/<slug>/accounts/<int:account_id>/notices/<int:notice_id>")
@signed_in
def notice(account_id: int, notice_id: int):
    """The validation notice exactly as it was sent (the stored PDF); 404 for anything not the debtor's."""
    found = queries.get_account(g.portal_visit, account_id)
    sent = next((n for n in list_notices(found) if n.id == notice_id), None)
    if sent is None:
        raise NotFound()
    return document_download(sent.document, documents.read(sent.document))


@bp.get("/<slug>/payments/<int:payment_id>/card")
@signed_in
@csp_sources(stripe_page_sources)
def card(payment_id: int):
    """Card entry (the one portal step that needs JavaScript: Stripe Elements)."""
    payment = queries.get_payment(g.portal_visit, payment_id)
    page = portal_payments.pay_page(payment)
    config = current_app.config
    return render(
        "portal/card.html", page=page, js_url=config["STRIPE_JS_URL"], publishable_key=config["STRIPE_PUBLISHABLE_KEY"]
    )


@bp.get("/<slug>/payments/<int:payment_id>/done")
@signed_in
def done(payment_id: int):
    """Where Stripe.js sends the debtor back: the payment's outcome, asked of Stripe."""
    page = portal_payments.finish(queries.get_payment(g.portal_visit, payment_id))
    return render("portal/card.html", page=page, done=True, js_url="", publishable_key="")


@bp.get("/<slug>/logo")
def logo():
    """The agency's uploaded logo, with the type checked at upload (never sniffed: ``nosniff`` is set)."""
    settings = portal_settings(g.portal_agency.id)
    if not settings.logo:
        raise NotFound()
    return Response(settings.logo, mimetype=settings.logo_type)


# The plan, autopay and preferences pages live in modules of their own, on this blueprint
from app.portal import plan_views, preference_views  # noqa: E402, F401, I001
