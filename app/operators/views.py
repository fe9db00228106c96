"""The operator pages (``/ops/``): sign-in, dependency health, agencies; and the new admin's set-up link page."""

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import select

from app.agencies.models import Agency
from app.auth import ratelimit
from app.errors import ValidationFailed
from app.extensions import db
from app.operators import access, services
from app.operators.forms import AgencyForm, OperatorLoginForm, SetupForm
from app.ops import checks
from app.payments.services.breaker import stripe_breaker

bp = Blueprint("operators", __name__, url_prefix="/ops")
setup_bp = Blueprint("setup", __name__)


@bp.route("/login", methods=["GET", "POST"])
@ratelimit.login_ip_limit  # the same allowance of failed sign-ins per client IP as agency users'
def login():
    form = OperatorLoginForm()
    if not form.validate_on_submit():
        return render_template("ops/login.html", form=form), 422 if form.is_submitted() else 200
    try:
        operator = services.authenticate(form.email.data, form.password.data)
    except ValidationFailed as exc:
        form.form_errors.append(exc.message)
        return render_template("ops/login.html", form=form), 422
    access.sign_in(operator.id)
    return redirect(url_for("operators.home"), 303)


@bp.post("/logout")
def logout():
    access.sign_out()
    return redirect(url_for("operators.login"), 303)


@bp.get("/")
def home():
    return _home(AgencyForm(), None)


@bp.post("/agencies")
def create_agency():
    form = AgencyForm()
    if not form.validate_on_submit():
        return _home(form, None, 422)
    try:
        agency, token = services.create_agency(
            form.name.data, form.admin_email.data, operator=access.current_operator().email
        )
    except ValidationFailed as exc:
        form.form_errors.append(exc.message)
        return _home(form, None, 422)
    link = url_for("setup.setup", token=token, _external=True)
    return _home(AgencyForm(formdata=None), (agency, link), 201)


def _home(form: AgencyForm, created, status: int = 200):
    health = checks.run_all()
    health["stripe_circuit"] = stripe_breaker().state()
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    page = render_template("ops/home.html", form=form, created=created, health=health, agencies=agencies,
                           operator=access.current_operator())  # fmt: skip
    return page, status


@setup_bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str):
    """A new admin chooses their password through the one-time link an operator gave them."""
    link = services.setup_link(token)  # 404 for a used, expired or unknown link
    form = SetupForm()
    if not form.validate_on_submit():
        return render_template("ops/setup.html", form=form, link=link), 422 if form.is_submitted() else 200
    try:
        services.complete_setup(token, form.password.data)
    except ValidationFailed as exc:
        form.password.errors = [*form.password.errors, *exc.fields.values()] or [exc.message]
        return render_template("ops/setup.html", form=form, link=link), 422
    flash("Your password is set. Sign in with it.", "success")
    return redirect(url_for("auth.login"), 303)
