"""A real SMTP server on loopback (aiosmtpd) that the app's mail settings point at, and an account in San Francisco
with a plan whose debtor has an email address."""

import email
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from app.agencyday import day_start
from app.plans import services
from app.timeutil import clock as app_clock
from tests.compliance.guard.conftest import place
from tests.factories import db
from tests.imports.sftp_server import free_port
from tests.plans.conftest import plan_terms

ADDRESS = "maria.lopez@mail.test"


class Inbox:
    """What the server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def mail_config(app):
    """The app's mail settings pointed at ``port`` on loopback (restored after the test)."""
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}

    def _point(port: int) -> None:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)

    yield _point
    app.config.update(saved)


@pytest.fixture
def smtp(mail_config):
    """A running SMTP server on a free loopback port; yields its inbox."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mail_config(port)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def frozen():
    """``frozen(instant)``: stop the app's clock there (reset after the test)."""

    def _freeze(instant):
        app_clock.frozen = instant

    yield _freeze
    app_clock.reset()


@pytest.fixture
def west(assigned_account):
    """An account of 1,000.00 whose debtor lives in San Francisco and has an email address."""
    place(assigned_account, state="CA", postal_code="94103", phone="+1 415 555 0100")
    assigned_account.debtor.email = ADDRESS
    db.session.commit()
    return assigned_account


@pytest.fixture
def west_plan(west, collector, agency):
    """A 3-instalment monthly plan of 1,000.00 on ``west`` whose first instalment is due in 10 days."""
    return services.create_plan(west.id, plan_terms(agency, first_due=in_days(agency, 10)), actor=collector)


def in_days(agency, days: int):
    return plan_terms(agency).first_due + timedelta(days=days - 1)


def pacific(day, hour: int):
    """``hour`` o'clock on ``day`` in San Francisco, the debtor's time."""
    return day_start(day, "America/Los_Angeles") + timedelta(hours=hour)


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
