"""``flask operators create`` and ``flask agencies create --name … --admin-email …``."""

import click
from flask import current_app, url_for

from app.errors import ValidationFailed
from app.operators import services


@click.group("operators")
def operators_group() -> None:
    """Platform operators (they run the installation; they see no agency's data)."""


@operators_group.command("create")
@click.option("--email", prompt=True, help="The operator's email (their sign-in name).")
@click.password_option(help="Asked for when not given (never put it on a command line others can see).")
def create_operator_command(email: str, password: str) -> None:
    try:
        operator = services.create_operator(email, password)
    except ValidationFailed as exc:
        raise click.ClickException(" ".join([exc.message, *exc.fields.values()])) from None
    click.echo(f"operator {operator.email} created; sign in at /ops/login")


@click.group("agencies")
def agencies_group() -> None:
    """Agencies (tenants)."""


@agencies_group.command("create")
@click.option("--name", required=True, help="The agency's name.")
@click.option("--admin-email", required=True, help="Email of its first admin, who gets the set-up link.")
@click.option(
    "--base-url", default=None, help="Where users reach this installation (default: SERVER_NAME or localhost)."
)
def create_agency_command(name: str, admin_email: str, base_url: str | None) -> None:
    """Create an agency and its first admin, and print the admin's one-time set-up link."""
    try:
        agency, token = services.create_agency(name, admin_email, operator="command line")
    except ValidationFailed as exc:
        raise click.ClickException(" ".join([exc.message, *exc.fields.values()])) from None
    click.echo(f"agency {agency.name} ({agency.slug}) created")
    click.echo(f"first admin's one-time set-up link (valid {services.SETUP_LINK_DAYS} days): {_link(token, base_url)}")


def _link(token: str, base_url: str | None) -> str:
    base = base_url or current_app.config.get("PUBLIC_BASE_URL") or "http://localhost:8000"
    with current_app.test_request_context(base_url=base):
        return url_for("setup.setup", token=token, _external=True)
