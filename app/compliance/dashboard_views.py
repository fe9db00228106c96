"""The compliance dashboard (admins): what the contact guard refused this week, open disputes and their SLA,
accounts on hold, the state rules in force; each list also as CSV."""

from functools import partial

from flask import Blueprint
from flask_login import current_user, login_required

from app.agencyday import local_today
from app.audit import services as audit
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.compliance import dashboard
from app.csvexport import stream_csv
from app.errors import NotFound
from app.htmx import render

bp = Blueprint("compliance_dashboard", __name__, url_prefix="/compliance")


@bp.before_request
@login_required
@roles_required(Role.ADMIN)
def require_admin():
    """The compliance dashboard is for the agency's admins only."""


@bp.get("/")
def index():
    since = dashboard.week_start(current_user)
    return render(
        "compliance/dashboard.html",
        since=since,
        blocked=dashboard.blocked_by_rule(current_user, since),
        disputes=dashboard.open_disputes(current_user),
        notices=dashboard.notices_due(current_user),
        held=dashboard.accounts_on_hold(current_user),
        rules=dashboard.state_rules(current_user),
        today=local_today(current_user.agency.timezone),
    )


@bp.get("/<name>.csv")
def export(name: str):
    """One of the dashboard's lists as CSV (``dashboard.ROWS``), the export audited."""
    if name not in dashboard.ROWS:
        raise NotFound()
    header, rows = dashboard.ROWS[name]
    finish = partial(audit.record_export, current_user, f"compliance_{name.replace('-', '_')}", {})
    return stream_csv(f"compliance-{name}.csv", header, rows(current_user), finish)
