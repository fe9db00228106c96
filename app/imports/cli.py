"""``flask imports run-file --agency SLUG PATH``: import a local file synchronously, print a JSON line."""

import json
import sys
import time
from pathlib import Path

import click
from sqlalchemy import select

from app.extensions import db


@click.group("imports")
def imports_group() -> None:
    """Portfolio imports."""


@imports_group.command("run-file")
@click.option("--agency", "slug", required=True, help="The importing agency's slug.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def run_file_command(slug: str, path: Path) -> None:
    """Import PATH for the agency now; exit 1 only when the file itself could not be processed.

    The JSON line adds ``seconds``: receiving and running the file in this process (what a worker spends on
    it), without the interpreter's and the app's start.
    """
    from app.agencies.models import Agency
    from app.imports.services import receive, run

    agency = db.session.scalars(select(Agency).where(Agency.slug == slug)).first()
    if agency is None:
        raise click.ClickException(f"no agency with slug {slug!r}")
    started = time.perf_counter()
    job = receive.receive_path(agency.id, path, trigger="command line")
    run.run_import(job.id)
    seconds = round(time.perf_counter() - started, 3)
    db.session.refresh(job)
    click.echo(json.dumps(run.summary(job) | {"seconds": seconds}))
    sys.exit(1 if job.status.value == "failed" else 0)


@imports_group.command("rerun")
@click.argument("job_id", type=int)
def rerun_command(job_id: int) -> None:
    """Run an interrupted job again (resumes after its last committed batch)."""
    from app.imports.models import ImportJob
    from app.imports.services import run

    run.run_import(job_id)
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise click.ClickException(f"no import job {job_id}")
    click.echo(json.dumps(run.summary(job)))
    sys.exit(1 if job.status.value == "failed" else 0)
