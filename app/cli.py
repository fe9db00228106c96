"""Operator commands: ``flask seed-demo``, ``flask audit verify|checkpoint``, ``flask crypto rotate``,
``flask jobs sweep``, ``flask rls enable|disable``."""

import sys

import click
from flask import Flask
from sqlalchemy import select

from app import pg
from app.extensions import db
from app.pg import rls


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
@click.option("--against", "checkpoint", default=None, type=click.Path(dir_okay=False), help="A checkpoint file.")
def verify_command(slug: str | None, checkpoint: str | None) -> None:
    """Walk each agency's hash chain; exit 1 at the first broken link. With ``--against``, each chain must also
    still hold the head the checkpoint published."""
    from app.agencies.models import Agency
    from app.audit.checkpoint import CheckpointInvalid, load_checkpoint
    from app.audit.verify import verify_chain

    try:
        anchors = load_checkpoint(checkpoint) if checkpoint else {}
    except CheckpointInvalid as exc:
        click.echo(f"checkpoint refused: {exc}", err=True)
        sys.exit(1)

    stmt = select(Agency).order_by(Agency.id)
    if slug:
        stmt = stmt.where(Agency.slug == slug)
    agencies = db.session.scalars(stmt).all()
    if slug and not agencies:
        raise click.ClickException(f"no agency with slug {slug!r}")
    failed = False
    for agency in agencies:
        report = verify_chain(agency.id, anchors.get(agency.id))
        if report.ok:
            click.echo(f"{agency.slug}: OK, {report.events} events")
        else:
            failed = True
            click.echo(f"{agency.slug}: BROKEN at event {report.broken_at}: {report.reason}", err=True)
    sys.exit(1 if failed else 0)


@audit_group.command("checkpoint")
def checkpoint_command() -> None:
    """Publish every agency's chain head to a new signed file under AUDIT_CHECKPOINT_DIR."""
    from app.audit.checkpoint import write_checkpoint

    click.echo(f"checkpoint written: {write_checkpoint()}")


@click.group("crypto")
def crypto_group() -> None:
    """Field-encryption key tools."""


@crypto_group.command("rotate")
def rotate_command() -> None:
    """Re-encrypt every encrypted field under the first key of ENCRYPTION_KEYS (legacy Fernet values too)."""
    from app import crypto

    done = crypto.Rewritten()
    for table_name, column_name in crypto.FIELDS:
        result = crypto.reencrypt_column(db.session.connection(), table_name, column_name, crypto.rotate)
        done.values, done.unreadable = done.values + result.values, done.unreadable + result.unreadable
    db.session.commit()
    click.echo(f"re-encrypted {done.values} values")
    if done.unreadable:
        click.echo(
            f"{done.unreadable} values are unreadable with the configured keys and were left as they are", err=True
        )


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


@click.group("rls")
def rls_group() -> None:
    """PostgreSQL row-level security on the tenant tables (on since migration 0019; app/pg/rls.py)."""


@rls_group.command("enable")
def rls_enable_command() -> None:
    _switch_rls(rls.install, "on")


@rls_group.command("disable")
def rls_disable_command() -> None:
    _switch_rls(rls.uninstall, "off")


def _switch_rls(change, state: str) -> None:
    if not pg.active():
        raise click.ClickException("row-level security needs PostgreSQL")
    change(db.session.connection())
    db.session.commit()
    click.echo(f"row-level security {state} for {len(rls.tenant_tables())} tables")


def init_app(app: Flask) -> None:
    from app.imports.cli import imports_group
    from app.operators.cli import agencies_group, operators_group

    commands = (seed_demo_command, audit_group, crypto_group, payments_group, imports_group, jobs_group, rls_group)
    for command in (*commands, operators_group, agencies_group):
        app.cli.add_command(command)
