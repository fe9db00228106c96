"""The user's own two-factor authentication pages: status, set-up (QR code), recovery codes, turning it off."""

import segno
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.auth import mfa
from app.auth.forms import ConfirmPasswordForm, EnableMfaForm
from app.errors import ValidationFailed
from app.htmx import render

bp = Blueprint("mfa", __name__, url_prefix="/account/mfa")


@bp.before_request
@login_required
def require_login():
    """Every page here is about the signed-in user's own account."""


@bp.after_request
def no_store(response):
    """The secret and the recovery codes must not be kept by the browser's or a proxy's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index():
    """Whether MFA is on, how many recovery codes are left, and the form to renew them or turn MFA off."""
    return _index_page(ConfirmPasswordForm(), 200)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Show the secret (QR code and text); a code from the app and the password turn MFA on."""
    if current_user.mfa_enabled:
        return redirect(url_for("mfa.index"), 303)
    form = EnableMfaForm()
    if form.validate_on_submit() and (codes := _attempt(form, mfa.enable_mfa, form.code.data)):
        return render("auth/recovery_codes.html", codes=codes)
    return _setup_page(form, 422 if form.is_submitted() else 200)


@bp.post("/recovery-codes")
def recovery_codes():
    """Ten new recovery codes, shown on this response only; the old ones stop working."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and (codes := _attempt(form, mfa.regenerate_recovery_codes)):
        return render("auth/recovery_codes.html", codes=codes)
    return _index_page(form, 422)


@bp.post("/disable")
def disable():
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and _attempt(form, mfa.disable_mfa) is not None:
        flash("Two-factor authentication is off.", "success")
        return redirect(url_for("mfa.index"), 303)
    return _index_page(form, 422)


def _attempt(form, service, *args):
    """Call ``service(user, password, *args, actor=user)``; on ValidationFailed put its messages on the form."""
    try:
        return service(current_user, form.password.data, *args, actor=current_user) or True
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            form[name].errors.append(message)
        if not exc.fields:
            form.form_errors.append(exc.message)
        return None


def _setup_page(form: EnableMfaForm, status: int):
    secret = mfa.start_enrolment(current_user)
    qr = segno.make(mfa.provisioning_uri(current_user, secret), error="m")
    # segno writes the SVG from the URI's bits only (paths, no text of ours), so it is safe to inline.
    svg = Markup(qr.svg_inline(scale=5, title="QR code of your two-factor secret"))  # noqa: S704
    return render("auth/mfa_setup.html", status=status, form=form, secret=secret, qr_svg=svg)


def _index_page(form: ConfirmPasswordForm, status: int):
    remaining = mfa.remaining_recovery_codes(current_user)
    return render("auth/mfa.html", status=status, form=form, remaining=remaining)
