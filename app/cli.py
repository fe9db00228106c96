"""Operator commands: ``flask seed-demo``, ``flask audit verify``, ``flask crypto rotate``, ``flask jobs sweep``."""

import sys

import click
from flask import Flask
from sqlalchemy import select

from app.extensions import db


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Delete the demo agencies' data first and rebuild it.")
def seed_demo_command(reset: bool) -> None:
    """Create the demo agencies, users and accounts (idempotent)."""
    from app.demo import seed_demo

    summary = seed_demo(reset=reset)
    click.echo(summary)


@click.group("audit")
def audit_group() -> None:
    """Audit trail tools."""


@audit_group.command("verify")
@click.option("--agency", "slug", default=None, help="Only this agency (slug); default all agencies.")
def verify_command(slug: str | None) -> None:
    """Walk each agency's hash chain; exit 1 at the first broken link."""
    from app.agencies.models import Agency
    from app.audit.verify import verify_chain

    stmt = select(Agency).order_by(Agency.id)
    if slug:
        stmt = stmt.where(Agency.slug == slug)
    agencies = db.session.scalars(stmt).all()
    if slug and not agencies:
        raise click.ClickException(f"no agency with slug {slug!r}")
    failed = False
    for agency in agencies:
        report = verify_chain(agency.id)
        if report.ok:
            click.echo(f"{agency.slug}: OK, {report.events} events")
        else:
            failed = True
            click.echo(f"{agency.slug}: BROKEN at event {report.broken_at}: {report.reason}", err=True)
    sys.exit(1 if failed else 0)


@click.group("crypto")
def crypto_group() -> None:
    """Field-encryption key tools."""


@crypto_group.command("rotate")
def rotate_command() -> None:
    """Re-encrypt every encrypted field under the first key of ENCRYPTION_KEYS."""
    from app import crypto
    from app.auth.models import User
    from app.debtors.models import Debtor

    count = 0
    for debtor in db.session.scalars(select(Debtor).where(Debtor.ssn_last4_encrypted.is_not(None))):
        debtor.ssn_last4_encrypted = crypto.rotate(debtor.ssn_last4_encrypted)
        count += 1
    for user in db.session.scalars(select(User).where(User.mfa_secret_encrypted.is_not(None))):
        user.mfa_secret_encrypted = crypto.rotate(user.mfa_secret_encrypted)
        count += 1
    db.session.commit()
    click.echo(f"re-encrypted {count} values")


@click.group("payments")
def payments_group() -> None:
    """Payment maintenance."""


@payments_group.command("reconcile")
def reconcile_command() -> None:
    """Settle card payments pending over 30 minutes from Stripe (what the hourly rq cron job runs)."""
    from app.payments.services.reconcile import reconcile_pending_payments

    counts = reconcile_pending_payments()
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in counts.items()) or "nothing to reconcile")


@click.group("jobs")
def jobs_group() -> None:
    """Background job maintenance."""


@jobs_group.command("sweep")
def sweep_command() -> None:
    """Enqueue import jobs left behind (what rq cron runs each minute, and the worker on start)."""
    from redis.exceptions import RedisError

    from app.imports.services import recovery

    try:
        click.echo(recovery.sweep_import_jobs())
    except RedisError as exc:
        raise click.ClickException(f"Redis is unreachable; nothing enqueued ({exc})") from None


def init_app(app: Flask) -> None:
    from app.imports.cli import imports_group

    for command in (seed_demo_command, audit_group, crypto_group, payments_group, imports_group, jobs_group):
        app.cli.add_command(command)
