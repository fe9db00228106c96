"""``/api/v1/auth``: tokens for a username and password (and a code for MFA users), refresh, logout, me."""

from flask import current_app
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import limits
from app.api.core import ApiBlueprint, Rate
from app.api.security import NotAuthenticated, current_token, require_user
from app.auth import apitokens, mfa, services
from app.auth.tokens import Scope
from app.errors import ValidationFailed
from app.extensions import csrf, limiter

bp = ApiBlueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Tokens and the current user.")
limits.apply(bp)
csrf.exempt(bp)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    otp = fields.String(validate=validate.Length(min=1, max=64))


class RefreshSchema(Schema):
    refresh = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenPairSchema(Schema):
    access = fields.String(required=True)
    refresh = fields.String(required=True)
    token_type = fields.Constant("Bearer")
    expires_in = fields.Constant(int(apitokens.ACCESS_LIFETIME.total_seconds()))


class CollectorProfileSchema(Schema):
    commission_rate = Rate()
    max_open_accounts = fields.Integer()
    active = fields.Boolean()


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    email = fields.String()
    full_name = fields.String()
    role = fields.String()
    agency_id = fields.Integer()
    agency = fields.Function(lambda u: {"id": u.agency.id, "name": u.agency.name})
    collector_id = fields.Function(lambda u: u.id if u.collector_profile else None)
    collector_profile = fields.Nested(CollectorProfileSchema, allow_none=True)
    scopes = fields.Function(lambda u: sorted(current_token().scope_set) if current_token() else [s for s in Scope])


def _failed(response) -> bool:
    return response.status_code >= 400


# The login page's per-address limit on failures holds here too; the per-account lockout is in authenticate().
login_limit = limiter.limit(lambda: current_app.config["LOGIN_IP_LIMIT"], methods=["POST"], deduct_when=_failed)


@bp.route("/token/", methods=["POST"])
@login_limit
@bp.arguments(LoginSchema)
@bp.response(200, TokenPairSchema)
def token(data):
    """Sign in: an access token (15 minutes) and a refresh token (7 days, rotating)."""
    try:
        user = services.authenticate(data["username"], data["password"])
        if user.mfa_enabled:
            _second_factor(user, data.get("otp"))
    except ValidationFailed as exc:
        raise NotAuthenticated(exc.message) from None
    return apitokens.issue_login_pair(user)


def _second_factor(user, otp: str | None) -> None:
    if not otp:
        raise ValidationFailed("This user signs in with a second factor: send its code as 'otp'.")
    mfa.verify_second_factor(user, otp)


@bp.route("/token/refresh/", methods=["POST"])
@bp.arguments(RefreshSchema)
@bp.response(200, TokenPairSchema)
def refresh(data):
    """A new pair for a refresh token, which is then used up (presenting it again revokes the login)."""
    return apitokens.rotate_refresh(data["refresh"])


@bp.route("/logout/", methods=["POST"])
@bp.response(204)
def logout():
    """Revoke the login (every token of its family) the request is authenticated by."""
    require_user()
    token = current_token()
    if token is None:
        raise NotAuthenticated("Log out of a browser session from the web page.")
    apitokens.logout(token)


@bp.route("/me/", methods=["GET"])
@bp.response(200, MeSchema)
def me():
    """The authenticated user, their role and agency."""
    require_user()
    return current_user
