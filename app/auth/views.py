"""Login, logout, password change, and the user's list of sessions."""

from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import ratelimit, services
from app.auth.forms import LoginForm, PasswordForm
from app.auth.models import Role
from app.errors import ValidationFailed
from app.extensions import htmx
from app.htmx import render

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths may be followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def home_url(user) -> str:
    return url_for("analytics.dashboard") if user.role == Role.ADMIN else url_for("accounts.worklist")


@bp.get("/")
@login_required
def home():
    return redirect(home_url(current_user))


@bp.route("/login", methods=["GET", "POST"])
@ratelimit.login_ip_limit
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render("auth/login.html", form=form, status=422 if form.is_submitted() else 200)
    try:
        user = services.authenticate(form.username.data, form.password.data)
    except ValidationFailed as exc:
        form.form_errors.append(exc.message)
        return render("auth/login.html", form=form, status=422)
    session.clear()
    user.current_session_token = services.start_session(user)
    login_user(user)
    return redirect(safe_next(form.next.data) or home_url(user), 303)


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_user, current_user.get_id())
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if not form.validate_on_submit():
        return render("auth/password.html", form=form, status=422 if form.is_submitted() else 200)
    try:
        token = services.change_password(
            current_user, form.current_password.data, form.new_password.data, actor=current_user
        )
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            form[name].errors.append(message)
        return render("auth/password.html", form=form, status=422)
    _relogin(token)
    flash("Password changed. Your other sessions were signed out.", "success")
    return redirect(home_url(current_user), 303)


@bp.get("/account/sessions")
@login_required
def sessions():
    """The user's live sessions: device, IP, when started and last used; any of them can be ended."""
    rows = services.list_sessions(current_user)
    return render("auth/sessions.html", rows=rows, current_token=current_user.get_id())


@bp.post("/account/sessions/<ref>/end")
@login_required
def end_session(ref: str):
    """End one session; ending this very one signs the browser out."""
    ended = services.end_session_by_ref(current_user, ref, actor=current_user)
    if ended.token == current_user.get_id():
        logout_user()
        session.clear()
        return redirect(url_for("auth.login"), 303)
    flash("Session ended: that device is signed out.", "success")
    return redirect(url_for("auth.sessions"), 303)


def _relogin(token: str) -> None:
    user = current_user._get_current_object()
    session.clear()
    user.current_session_token = token
    login_user(user)


def unauthorized() -> Response:
    """Send anonymous visitors to the login page (via HX-Redirect for htmx, JSON 401 for the API)."""
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.path.startswith("/api/"):
        return {"error": "unauthorized", "message": "Authentication required.", "fields": {}}, 401
    if htmx:
        return Response(status=401, headers={"HX-Redirect": login_url})
    return redirect(login_url)
