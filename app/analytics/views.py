"""Admin analytics pages: the dashboard frame, its lazily loaded panels, and CSV exports. Read-only."""

from flask import Blueprint, request
from flask_login import current_user, login_required

from app.analytics import charts, periods, queries
from app.analytics.csv import csv_response
from app.auth.decorators import roles_required
from app.auth.models import Role
from app.htmx import render, wants_fragment

bp = Blueprint("analytics", __name__, url_prefix="/analytics")
PAGE = "analytics/dashboard.html"


@bp.before_request
@login_required
@roles_required(Role.ADMIN)
def require_admin():
    """Analytics are for the agency's admins only."""


@bp.get("/")
def dashboard():
    """The page frame at once; every panel fills itself in with an htmx request on load. Without JavaScript the
    page's <noscript> link asks for ``?panels=all``: every panel computed into the page."""
    if request.args.get("panels") == "all":
        return _whole_dashboard()
    return render(PAGE, **_trend_args())


@bp.get("/figures")
def figures():
    return _panel("figures", _figures_ctx)


@bp.get("/trend")
def trend():
    """Net collected and payment count per period, as an SVG chart with a table view."""
    return _panel("trend", _trend_ctx)


@bp.get("/aging")
def aging():
    return _panel("aging", _aging_ctx)


@bp.get("/collectors")
def collectors():
    """Collector performance for a period, sortable by any column."""
    return _panel("collectors", _collectors_ctx)


def _figures_ctx() -> dict:
    return dict(figures=queries.get_dashboard_figures(current_user))


def _trend_ctx() -> dict:
    args = _trend_args()
    points = queries.get_payment_trend(current_user, args["rng"], args["granularity"])
    return dict(points=points, chart=charts.bar_chart(points, charts.LABEL_FORMATS[args["granularity"]]))


def _aging_ctx() -> dict:
    return dict(aging_rows=queries.get_aging(current_user))


def _collectors_ctx() -> dict:
    args = _performance_args()
    return dict(perf_rows=queries.get_collector_performance(current_user, args["prng"], args["sort"], args["desc"]))


PANELS = (_figures_ctx, _trend_ctx, _aging_ctx, _collectors_ctx)


def _panel(block: str, panel_ctx):
    """One panel for htmx. A plain request (a panel's form or sort link used without JavaScript) gets the whole
    dashboard, every panel filled in, with this request's period and sort."""
    if not wants_fragment():
        return _whole_dashboard()
    return render(PAGE, block=block, **panel_ctx(), **_performance_args(), **_trend_args())


def _whole_dashboard():
    ctx = {key: value for panel_ctx in PANELS for key, value in panel_ctx().items()}
    return render(PAGE, **ctx, **_performance_args(), **_trend_args())


@bp.get("/trend.csv")
def trend_csv():
    args = _trend_args()
    points = queries.get_payment_trend(current_user, args["rng"], args["granularity"])
    rows = [(p.start.isoformat(), p.net, p.count) for p in points]
    return csv_response(f"payment-trend-{args['granularity']}.csv", ["period_start", "net_collected", "payments"], rows)


@bp.get("/aging.csv")
def aging_csv():
    rows = [(r.label, r.count, r.balance) for r in queries.get_aging(current_user)]
    return csv_response("aging.csv", ["bucket", "accounts", "balance"], rows)


@bp.get("/collectors.csv")
def collectors_csv():
    args = _performance_args()
    rows = queries.get_collector_performance(current_user, args["prng"], args["sort"], args["desc"])
    return csv_response("collector-performance.csv", PERFORMANCE_HEADER, [_perf_cells(r) for r in rows])


@bp.get("/figures.csv")
def figures_csv():
    fig = queries.get_dashboard_figures(current_user)
    rows = [(label, getattr(fig, name)) for name, label in FIGURE_LABELS]
    rows += [(f"accounts {status.value}", count) for status, count in sorted(fig.by_status.items())]
    return csv_response("dashboard-figures.csv", ["figure", "value"], rows)


FIGURE_LABELS = [
    ("active_accounts", "active accounts"),
    ("outstanding", "outstanding balance"),
    ("placed", "amount placed"),
    ("collected_all", "net collected, all time"),
    ("collected_month", "net collected, this month"),
    ("collected_today", "net collected, today"),
    ("recovery_rate", "recovery rate"),
    ("import_files", "import files, 30 days"),
    ("import_rows", "import rows, 30 days"),
    ("import_error_rate", "import error rate, 30 days"),
]
PERFORMANCE_HEADER = [
    "collector",
    "assigned",
    "contacted",
    "with_payment",
    "converted",
    "conversion_rate",
    "collected",
    "settled",
    "commission",
    "avg_days_to_first_payment",
    "call_attempts",
    "right_party_contacts",
    "right_party_rate",
]


def _perf_cells(r) -> list:
    return [
        r.collector.full_name,
        r.assigned,
        r.contacted,
        r.paying,
        r.converted,
        r.conversion_rate,
        r.collected,
        r.settled,
        r.commission,
        r.avg_days_to_first_payment,
        r.call_attempts,
        r.right_party,
        r.right_party_rate,
    ]


def _trend_args() -> dict:
    """The trend's granularity and range from the query string; ValidationFailed (422) when malformed."""
    granularity = periods.parse_granularity(request.args.get("granularity"))
    default_days = {"day": 30, "week": 84, "month": 365}[granularity]
    tz = current_user.agency.timezone
    rng = periods.parse_range(request.args.get("from"), request.args.get("to"), tz, default_days)
    return dict(granularity=granularity, rng=rng, currency=current_user.agency.currency)


def _performance_args() -> dict:
    tz = current_user.agency.timezone
    prng = periods.parse_range(request.args.get("pfrom"), request.args.get("pto"), tz, 30)
    sort = request.args.get("sort", "name")
    return dict(
        prng=prng, sort=sort if sort in queries.PERFORMANCE_SORTS else "name", desc=request.args.get("dir") == "desc"
    )
