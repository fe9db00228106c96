"""The portal's plan pages: choose a plan or a settlement (a preview page, then confirm), and autopay (save a
card with Stripe Elements, read and accept the recurring-debit authorization, turn autopay off, remove a card).

Every page but card entry is a plain form: no JavaScript needed.
"""

from flask import current_app, g, redirect, request, url_for

from app.errors import Conflict, ValidationFailed
from app.headers import csp_sources
from app.htmx import render
from app.moneyfmt import money
from app.payments.services.stripe_api import card_payments_enabled
from app.payments.views import stripe_page_sources
from app.plans import autopay
from app.plans.services import active_plan
from app.portal import plans as portal_plans
from app.portal import queries
from app.portal.forms import AutopayForm, PlanForm, SignOutForm
from app.portal.templating import gettext
from app.portal.views import account_context, bp, signed_in


@bp.post("/<slug>/accounts/<int:account_id>/plan")
@signed_in
def plan(account_id: int):
    """Preview the schedule asked for (its own page), or agree it (``action=confirm``, from that page)."""
    form = PlanForm()
    found = queries.get_account(g.portal_visit, account_id)
    if form.validate_on_submit():
        try:
            asked = form.terms(found.current_balance)
            if request.form.get("action") == "confirm":
                portal_plans.choose(g.portal_visit, found.id, asked)
                return _back_to_account(found.id, "plan_agreed", "plan")
            preview = portal_plans.preview(found, asked, g.portal_agency.timezone)
            return render("portal/plan_preview.html", account=found, form=form, preview=preview)
        except ValidationFailed as exc:
            _attach(form, exc)
        except Conflict as exc:
            return render("portal/account.html", status=409, **account_context(found, plan_refusal=exc.message))
    return render("portal/account.html", status=422, **account_context(found, plan_form=form))


def _attach(form, exc: ValidationFailed) -> None:
    """The service's messages on the fields they name (a field not on the form: the first one shown)."""
    for name, message in (exc.fields or {"kind": exc.message}).items():
        getattr(form, name if name in form else "kind").errors = [message]


def _back_to_account(account_id: int, note: str, section: str):
    return redirect(url_for("portal.account", account_id=account_id, note=note) + f"#{section}", 303)


@bp.get("/<slug>/accounts/<int:account_id>/autopay")
@signed_in
def autopay_page(account_id: int):
    """The saved cards (add, remove) and, while a plan is active, the recurring-debit authorization and switch."""
    account = queries.get_account(g.portal_visit, account_id)
    return _autopay_page(account, AutopayForm(formdata=None))


NOTES = ("card_saved", "card_removed")


def _autopay_page(account, form, status: int = 200, refusal: str = ""):
    cards, current = autopay.saved_cards(account), active_plan(account)
    form.card_id.choices = [(c.id, c.label) for c in cards]
    if form.card_id.data is None and cards:
        asked = request.args.get("card", type=int)
        chosen = (asked, current and current.autopay_card_id)
        form.card_id.data = next((c.id for c in cards if c.id in chosen), cards[0].id)
    note = request.args.get("note")
    return render(
        "portal/autopay.html",
        status=status,
        account=account,
        plan=current,
        cards=cards,
        form=form,
        authorization=current and _authorization(current),
        note=note if note in NOTES else None,
        card_setup_enabled=card_payments_enabled(),
        refusal=refusal,
        action_form=SignOutForm(formdata=None),
    )


def _authorization(current) -> str:
    """The authorization text as the debtor reads it (their language, the plan's open instalments)."""
    currency = g.portal_agency.currency
    params = portal_plans.authorization_params(g.portal_agency.name, current, lambda value: money(value, currency))
    return gettext(portal_plans.AUTHORIZATION, **params)


@bp.post("/<slug>/accounts/<int:account_id>/autopay")
@signed_in
def autopay_on(account_id: int):
    """Autopay on with the chosen card; the authorization text as shown is kept in the audit trail."""
    account, current = portal_plans.active_plan(g.portal_visit, account_id)
    form = AutopayForm()
    if form.validate_on_submit():
        portal_plans.set_autopay(g.portal_visit, account.id, form.card_id.data, _authorization(current))
        return _back_to_account(account.id, "autopay_on", "plan")
    return _autopay_page(account, form, status=422)


@bp.post("/<slug>/accounts/<int:account_id>/autopay/off")
@signed_in
def autopay_off(account_id: int):
    account, _current = portal_plans.active_plan(g.portal_visit, account_id)
    if SignOutForm().validate_on_submit():  # CSRF only
        portal_plans.set_autopay(g.portal_visit, account.id, None)
    return _back_to_account(account.id, "autopay_off", "plan")


@bp.post("/<slug>/accounts/<int:account_id>/card")
@signed_in
@csp_sources(stripe_page_sources)
def card_setup(account_id: int):
    """Card entry for autopay (Stripe Elements: the card goes from the browser to Stripe, never to DebtFlow)."""
    account = queries.get_account(g.portal_visit, account_id)
    if not SignOutForm().validate_on_submit():  # CSRF only
        return redirect(url_for("portal.autopay_page", account_id=account.id), 303)
    setup = portal_plans.start_card_setup(g.portal_visit, account.id)
    done = url_for("portal.card_setup_done", account_id=account.id, _external=True)
    js_url = current_app.config["STRIPE_JS_URL"]
    return render("portal/card_setup.html", account=account, setup=setup, done_url=done, js_url=js_url)


@bp.get("/<slug>/accounts/<int:account_id>/card/done")
@signed_in
def card_setup_done(account_id: int):
    """Where Stripe.js returns after confirming the SetupIntent: keep the card, then on to the authorization."""
    account = queries.get_account(g.portal_visit, account_id)
    try:
        card = portal_plans.keep_card(g.portal_visit, account.id, request.args.get("setup_intent", ""))
    except ValidationFailed as exc:
        return _autopay_page(account, AutopayForm(formdata=None), 422, exc.message)
    return redirect(url_for("portal.autopay_page", account_id=account.id, note="card_saved", card=card.id), 303)


@bp.post("/<slug>/accounts/<int:account_id>/cards/<int:card_id>/remove")
@signed_in
def remove_card(account_id: int, card_id: int):
    """Remove a saved card (autopay charging it stops)."""
    account = queries.get_account(g.portal_visit, account_id)
    if SignOutForm().validate_on_submit():  # CSRF only
        portal_plans.remove_card(g.portal_visit, account.id, card_id)
    return redirect(url_for("portal.autopay_page", account_id=account.id, note="card_removed"), 303)
