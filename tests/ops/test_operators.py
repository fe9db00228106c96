"""Platform operators: created on the command line, reach /ops/ and nothing of an agency; agency users get 403 there;
a new agency's first admin starts from a one-time set-up link."""

import re

import pytest
from sqlalchemy import select

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import User
from app.config import test_config as make_test_config
from app.extensions import db
from app.operators import services
from tests.conftest import CSRF_META, FreshGlobalsClient
from tests.imports.sftp_server import free_port

OPERATOR_EMAIL, OPERATOR_PASSWORD = "ops@platform.test", "Quartz-Lantern-Orbit-93"
NEW_PASSWORD = "Velvet-Harbor-Sprocket-58"
AGENCY_PAGES = ("/", "/accounts/", "/worklist", "/payments/", "/imports/", "/settings/agency", "/audit/", "/analytics/")


def csrf(client, url: str = "/ops/login") -> str:
    return CSRF_META.search(client.get(url).get_data(as_text=True)).group(1)


def sign_in_operator(client):
    services.create_operator(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    data = {"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD, "csrf_token": csrf(client)}
    response = client.post("/ops/login", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/ops/")
    return client


@pytest.fixture
def operator_client(client):
    return sign_in_operator(client)


def test_the_cli_creates_an_operator(app):
    result = app.test_cli_runner().invoke(
        args=["operators", "create", "--email", OPERATOR_EMAIL, "--password", OPERATOR_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert services.authenticate(OPERATOR_EMAIL, OPERATOR_PASSWORD).email == OPERATOR_EMAIL


def test_the_cli_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["operators", "create", "--email", "x@y.test", "--password", "short"])
    assert result.exit_code != 0 and "characters" in result.output


def test_an_operator_sees_the_ops_pages_and_no_agency_page(operator_client, assigned_account):
    page = operator_client.get("/ops/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Dependencies" in text and "database" in text and OPERATOR_EMAIL in text
    for url in (*AGENCY_PAGES, f"/accounts/{assigned_account.id}", "/login"):
        assert operator_client.get(url).status_code == 404, url
    assert operator_client.get("/health").status_code == 200 and operator_client.get("/metrics").status_code == 200


def test_agency_users_get_403_on_ops_and_strangers_are_sent_to_sign_in(login, admin, collector, client):
    assert client.get("/ops/").status_code == 302 and "/ops/login" in client.get("/ops/").headers["Location"]
    for user in (admin, collector):
        web = login(user)
        assert web.client.get("/ops/").status_code == 403
        assert web.client.get("/ops/rq/").status_code in (403, 404)  # 404 where no Redis mounts it


def test_wrong_operator_password_is_refused(client):
    services.create_operator(OPERATOR_EMAIL, OPERATOR_PASSWORD)
    data = {"email": OPERATOR_EMAIL, "password": "Wrong-Password-00", "csrf_token": csrf(client)}
    assert client.post("/ops/login", data=data).status_code == 422
    assert client.get("/ops/").status_code == 302


def test_an_operator_creates_an_agency_whose_admin_sets_up_with_a_one_time_link(operator_client, client):
    data = {
        "name": "Northwind Recovery",
        "admin_email": "boss@northwind.test",
        "csrf_token": csrf(operator_client, "/ops/"),
    }
    response = operator_client.post("/ops/agencies", data=data)
    assert response.status_code == 201
    link = re.search(r"<code>(http[^<]+/setup/[^<]+)</code>", response.get_data(as_text=True)).group(1)
    admin = db.session.scalar(select(User).where(User.email == "boss@northwind.test"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency.created"))
    assert event.agency_id == admin.agency_id and event.changes["by_operator"] == OPERATOR_EMAIL

    operator_client.post("/ops/logout", data={"csrf_token": csrf(operator_client, "/ops/")})
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    setup = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf(client, f"/{path}")}
    assert client.post(f"/{path}", data=setup).status_code == 303
    assert client.get(f"/{path}").status_code == 404  # used: gone
    signed_in = client.post("/login", data={"username": admin.username, "password": NEW_PASSWORD,
                                            "csrf_token": csrf(client, "/login")})  # fmt: skip
    assert signed_in.status_code == 303


def test_the_cli_creates_an_agency_and_prints_its_set_up_link(app):
    result = app.test_cli_runner().invoke(
        args=[
            "agencies",
            "create",
            "--name",
            "Cli Agency",
            "--admin-email",
            "first@cli.test",
            "--base-url",
            "https://debtflow.example.test",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    token = re.search(r"https://debtflow\.example\.test/setup/(\S+)", result.output).group(1)
    assert services.setup_link(token).user_id == db.session.scalar(
        select(User.id).where(User.email == "first@cli.test")
    )


@pytest.fixture
def redis_app(database_url):
    """An app with rq-dashboard mounted: on the test Redis, or on a closed port (the page then says so)."""
    import os

    url = os.environ.get("TEST_REDIS_URL") or f"redis://127.0.0.1:{free_port()}/0"
    app = create_app({**make_test_config(database_url), "REDIS_URL": url})
    app.test_client_class = FreshGlobalsClient
    return app


def test_rq_dashboard_is_for_operators_with_its_own_relaxed_policy(redis_app, db):
    client = redis_app.test_client()
    with redis_app.app_context():
        sign_in_operator(client)
        dashboard = client.get("/ops/rq/")
        assert dashboard.status_code == 200
        assert "'unsafe-inline'" in dashboard.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in client.get("/ops/").headers["Content-Security-Policy"]
        assert client.post("/ops/rq/queue/default/compact").status_code == 403  # not from our origin
        assert client.get("/ops/rq/requeue/default").status_code == 405  # a state change by GET
