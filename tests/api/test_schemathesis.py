"""schemathesis against the live OpenAPI document: every operation with data that fits its schema and data that
does not; no server error, no response outside the documented ones, every response body matching its schema."""

import pytest
import schemathesis
from flask import g, has_app_context
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app import create_app
from app.auth import apitokens
from app.config import test_config as config_for
from tests import factories as f


class LiveApp:
    """The WSGI app schemathesis calls: the test session's app (set by ``world``), each request with an empty
    ``g`` (the test's app context is reused by every request)."""

    def __init__(self):
        self.app = create_app(config_for("sqlite://"))  # serves the document at import: it depends on code only

    def __call__(self, environ, start_response):
        if has_app_context():
            g.__dict__.clear()
        return self.app(environ, start_response)


live = LiveApp()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", live)
schema.config.phases.coverage.enabled = False


@pytest.fixture
def world(app, monkeypatch, admin, collector, assigned_account):
    """Records for the ids schemathesis tries, and limits it cannot reach."""
    monkeypatch.setitem(app.config, "API_TOKEN_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "API_IP_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "LOGIN_IP_LIMIT", "100000 per minute")
    f.AccountFactory(agency=admin.agency)
    live.app = app
    return admin


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_conforms(case, world):
    token = apitokens.issue_login_pair(world).access
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Schema-valid data that business rules refuse (an inactive collector, more than the balance) is a 422.
        excluded_checks=[positive_data_acceptance],
    )
