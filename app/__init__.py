"""The application factory."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import api, cli, dbsetup, extensions, headers, inputs, requestmeta, templating, tenancy
from app.config import Config
from app.errors import register_error_handlers
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.operators import access
from app.ops import logs, metrics

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app from ``config`` (tests) or from the environment (everything else)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(config or Config.from_env(Path(app.instance_path)))
    if app.config["TRUSTED_PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXY_COUNT"], x_proto=1)
    init_extensions(app)
    register_blueprints(app)
    api.init_app(app)
    register_error_handlers(app)
    requestmeta.init_app(app)
    metrics.init_app(app)
    logs.init_app(app)
    headers.init_app(app)
    inputs.init_app(app)
    tenancy.init_app(app)
    access.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app


def init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (register every table with the metadata)
    from app.audit import services as audit_services
    from app.auth import (
        gates,
        ratelimit,  # noqa: F401  (registers the debtflow:// storage before the limiter starts)
    )
    from app.auth import services as auth_services
    from app.auth.views import unauthorized
    from app.reminders import hooks as reminder_hooks

    db.init_app(app)
    with app.app_context():
        dbsetup.configure_engine(db.engine, prepared_statements=app.config["DATABASE_PREPARED_STATEMENTS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    extensions.htmx.init_app(app)  # via the module: the package attribute `htmx` is app/htmx.py
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(auth_services.load_session_user)
    login_manager.unauthorized_handler(unauthorized)
    gates.init_app(app)
    audit_services.record_auth_events()
    reminder_hooks.connect()


def register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as accounts_bp
    from app.analytics.views import bp as analytics_bp
    from app.audit.views import bp as audit_bp
    from app.auth.mfa_views import bp as mfa_bp
    from app.auth.views import bp as auth_bp
    from app.bulk.views import bp as bulk_bp
    from app.compliance.dashboard_views import bp as compliance_dashboard_bp
    from app.compliance.notice_views import bp as notices_bp
    from app.compliance.request_views import bp as disputes_bp
    from app.compliance.views import bp as compliance_bp
    from app.imports.views import bp as imports_bp
    from app.operators import rqdash
    from app.operators.views import bp as operators_bp
    from app.operators.views import setup_bp
    from app.ops.views import bp as ops_bp
    from app.payments.api import bp as payments_api_bp
    from app.payments.views import bp as payments_bp
    from app.plans.views import bp as plans_bp
    from app.portal.staff_views import bp as portal_staff_bp
    from app.portal.views import bp as portal_bp
    from app.reminders.views import bp as reminders_bp
    from app.settings.views import bp as settings_bp
    from app.settings.webhook_views import bp as webhooks_bp

    for bp in (
        auth_bp,
        mfa_bp,
        analytics_bp,
        accounts_bp,
        bulk_bp,
        audit_bp,
        imports_bp,
        ops_bp,
        operators_bp,
        setup_bp,
        payments_bp,
        payments_api_bp,
        notices_bp,
        disputes_bp,
        compliance_dashboard_bp,
        plans_bp,
        compliance_bp,
        settings_bp,
        webhooks_bp,
        portal_bp,
        portal_staff_bp,
        reminders_bp,
    ):
        app.register_blueprint(bp)
    rqdash.init_app(app)
