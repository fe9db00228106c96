"""``/api/v1/collectors`` (admins): the agency's collectors, from the queries the assignment form uses."""

from flask_login import current_user
from marshmallow import Schema, fields

from app.accounts import queries
from app.api import limits
from app.api.core import ID, ApiBlueprint, Rate
from app.api.security import guard
from app.collectors import services

bp = ApiBlueprint("api_collectors", __name__, url_prefix="/api/v1/collectors", description="Collectors (admins).")
limits.apply(bp)
guard(bp, admin_only=True)


class CollectorSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String()
    agency = fields.Integer(attribute="agency_id")
    commission_rate = Rate(attribute="collector_profile.commission_rate")
    max_accounts = fields.Integer(attribute="collector_profile.max_open_accounts")
    is_active = fields.Function(lambda u: u.active and u.collector_profile.active)


class CollectorListSchema(Schema):
    next = fields.String(allow_none=True, required=True)
    previous = fields.String(allow_none=True, required=True)
    results = fields.List(fields.Nested(CollectorSchema), required=True)


@bp.route("/", methods=["GET"])
@bp.response(200, CollectorListSchema)
def list_collectors():
    """Every collector of the agency by name, on one page (an agency has tens, not thousands)."""
    return {"next": None, "previous": None, "results": queries.list_collectors(current_user)}


@bp.route(f"/<{ID}:collector_id>/", methods=["GET"])
@bp.response(200, CollectorSchema)
def get_collector(collector_id: int):
    """One collector of the agency."""
    return services.get_collector(current_user, collector_id)
