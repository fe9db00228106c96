"""``/api/v1/analytics`` (admins): the dashboard's four panels as JSON, from the queries the pages use. Money is
a decimal string here too."""

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.analytics import periods, queries
from app.api import limits
from app.api.core import ApiBlueprint, Money, Rate
from app.api.security import guard

bp = ApiBlueprint("api_analytics", __name__, url_prefix="/api/v1/analytics", description="Analytics (admins).")
limits.apply(bp)
guard(bp, admin_only=True)
DATE_TEXT = validate.Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class RangeArgs(Schema):
    date_from = fields.String(data_key="from", validate=DATE_TEXT, metadata={"description": "YYYY-MM-DD"})
    date_to = fields.String(data_key="to", validate=DATE_TEXT, metadata={"description": "YYYY-MM-DD"})
    days = fields.Integer(validate=validate.Range(1, 3660), metadata={"description": "the last N days (no 'from')"})


class TrendArgs(RangeArgs):
    granularity = fields.String(load_default="day", validate=validate.OneOf(periods.GRANULARITIES))


class DashboardSchema(Schema):
    total_accounts = fields.Function(lambda f: sum(f.by_status.values()))
    active_accounts = fields.Integer()
    total_outstanding = Money(attribute="outstanding")
    total_placed = Money(attribute="placed")
    total_collected = Money(attribute="collected_all")
    collected_this_month = Money(attribute="collected_month")
    collected_today = Money(attribute="collected_today")
    recovery_rate = Rate(allow_none=True)
    accounts_by_status = fields.Function(lambda f: {s.value: n for s, n in f.by_status.items()})
    import_files_30d = fields.Integer(attribute="import_files")
    import_rows_30d = fields.Integer(attribute="import_rows")
    import_error_rate_30d = Rate(attribute="import_error_rate", allow_none=True)


class CollectorPerformanceSchema(Schema):
    collector_id = fields.Function(lambda r: r.collector.id)
    collector_name = fields.Function(lambda r: r.collector.full_name)
    assigned = fields.Integer()
    contacted = fields.Integer()
    with_payment = fields.Integer(attribute="paying")
    converted = fields.Integer()
    conversion_rate = Rate(allow_none=True)
    total_collected = Money(attribute="collected")
    settled = fields.Integer()
    commission = Money()
    avg_days_to_first_payment = Rate(allow_none=True)


class TrendPointSchema(Schema):
    period = fields.Date(attribute="start")
    total = Money(attribute="net")
    count = fields.Integer()


class AgingRowSchema(Schema):
    bucket = fields.String(attribute="key")
    label = fields.String()
    count = fields.Integer()
    total_balance = Money(attribute="balance")


def _range(args: dict, default_days: int) -> periods.Range:
    days = args.get("days") if not args.get("date_from") else None
    rng = periods.parse_range(
        args.get("date_from"), args.get("date_to"), current_user.agency.timezone, days or default_days
    )
    return rng


@bp.route("/dashboard/", methods=["GET"])
@bp.response(200, DashboardSchema)
def dashboard():
    """The agency's key figures."""
    return queries.get_dashboard_figures(current_user)


@bp.route("/collectors/", methods=["GET"])
@bp.arguments(RangeArgs, location="query")
@bp.response(200, CollectorPerformanceSchema(many=True))
def collectors(args):
    """Per-collector performance over a period (default: the last 30 days)."""
    return queries.get_collector_performance(current_user, _range(args, 30))


@bp.route("/payments/trends/", methods=["GET"])
@bp.arguments(TrendArgs, location="query")
@bp.response(200, TrendPointSchema(many=True))
def payment_trends(args):
    """Net collected and payment count per day, week or month."""
    default_days = {"day": 30, "week": 84, "month": 365}[args["granularity"]]
    return queries.get_payment_trend(current_user, _range(args, default_days), args["granularity"])


@bp.route("/aging-report/", methods=["GET"])
@bp.response(200, AgingRowSchema(many=True))
def aging_report():
    """Open accounts by days past due, with count and balance per bucket."""
    return queries.get_aging(current_user)
