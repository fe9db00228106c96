"""The JSON API v1 under ``/api/v1`` (flask-smorest): its OpenAPI document, docs page, authentication, limits
and idempotent retries. Each endpoint module is a thin adapter over the same services and queries the pages use."""

from flask import Blueprint, Flask, current_app, jsonify, render_template

from app.api import idempotency, limits, security
from app.api.core import DebtFlowApi, Money, MoneyField, Rate
from app.headers import csp_nonce

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

SMOREST_CONFIG = {
    "API_TITLE": "DebtFlow API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    },
}


@docs_bp.get("/schema/", strict_slashes=False)
def schema():
    """The OpenAPI 3 document (also at /api/v1/openapi.json)."""
    return jsonify(current_app.extensions["debtflow_api"].spec.to_dict())


@docs_bp.get("/docs/", strict_slashes=False)
def docs():
    """Swagger UI, served from static/vendor (pinned in package.json), started by a script of our own."""
    return render_template("api/docs.html", nonce=csp_nonce(), spec_url="/api/v1/openapi.json")


def init_app(app: Flask) -> None:
    from app.api import (
        accounts,
        analytics,
        auth,
        bulk,
        collectors,
        contacts,
        imports,
        notices,
        payments,
        plans,
        requests,
    )

    for key, value in SMOREST_CONFIG.items():
        app.config.setdefault(key, value)
    api = app.extensions["debtflow_api"] = DebtFlowApi(app)  # one per app: its spec lists that app's routes
    api.register_field(Money, "string", "decimal")
    api.register_field(Rate, "string", "decimal")
    api.register_field(MoneyField, None, None)  # documented by its own oneOf: a string or a number
    app.register_blueprint(docs_bp)
    api.register_blueprint(auth.bp)
    for module in (accounts, requests, notices, plans, bulk, payments, imports, analytics, collectors, contacts):
        api.register_blueprint(module.bp)
    # Before every other hook (the login gate reads current_user): a bearer token decides who calls.
    app.before_request_funcs.setdefault(None, []).insert(0, security.load_bearer_user)
    idempotency.init_app(app)
    limits.init_app(app)
