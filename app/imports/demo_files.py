"""The demo agency's import history: seven files run through the real import pipeline when the demo is seeded.

The portfolio's accounts carry six months of history the importer cannot write, so they are built directly
(``app.demo_portfolio``). What the creditors then sent about them is real: one refresh file per creditor, with the
accounts as they stand (every row a re-import, which updates descriptive fields and never status or payments),
and a file of corrections in which two rows are deliberately bad, so the Imports page shows real counts and an
error report from the first sign-in.
"""

import csv
import io
import re
import tempfile
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from flask import g
from sqlalchemy import func, select

from app.accounts.models import Account, Creditor
from app.auth.models import User
from app.debtors.models import Debtor
from app.extensions import db
from app.imports.models import ImportJob
from app.imports.services import receive, run

COLUMNS = ("external_ref", "debtor_name", "original_amount", "debtor_ref", "debtor_email", "debtor_phone",
           "due_date", "creditor_name", "account_type", "city", "state", "postal_code",
           "itemization_date", "itemization_reference", "itemization_amount", "itemization_creditor")  # fmt: skip
# The corrections file: new phone numbers for a few accounts, then two rows a person would have typed wrong.
BAD_ROWS = (
    ("ACC-99901", "Hayden Example", "12.345", "", "not-an-email", "", "2026-02-30", "", "", "", "", "", "", "", "", ""),
    ("", "Missing Reference", "250.00", "", "", "", "", "", "", "", "", "", "", "", "", ""),
)
WITHOUT_ITEMIZATION = 10  # every tenth account's creditor sent none: its page shows "cannot send notice"
CHARGED_OFF_BEFORE = timedelta(days=45)
CORRECTED_PHONES = 5


def run_demo_imports(agency_id: int, admin: User) -> str:
    """Import the demo files once (again after a reset, which deletes the jobs); return a summary line."""
    jobs = db.session.scalar(select(func.count()).select_from(ImportJob).where(ImportJob.agency_id == agency_id))
    if jobs:
        return f"demo imports: {jobs} jobs (already present)"
    rows = _account_rows(agency_id)
    files = _creditor_files(rows) + [("creditor-corrections.csv", _corrections(rows))]
    with tempfile.TemporaryDirectory(prefix="debtflow-demo-files-") as folder:
        finished = [_import(agency_id, admin, Path(folder) / name, lines) for name, lines in files]
    g.pop("tenant_agency_id", None)  # the runs scoped this context to the agency; the seed goes on for others
    errors = sum(job.errors for job in finished)
    return f"demo imports: {len(finished)} files, {sum(job.total for job in finished)} rows, {errors} rejected"


def _account_rows(agency_id: int) -> list[tuple]:
    """Every account of the agency as its creditor would send it, in reference order."""
    stmt = (
        select(Account, Debtor, Creditor.name)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .join(Creditor, Creditor.id == Account.creditor_id)
        .where(Account.agency_id == agency_id)
        .order_by(Account.external_ref)
    )
    return [
        (a.external_ref, d.full_name, str(a.original_amount), d.debtor_ref or "", d.email or "", d.phone or "",
         a.due_date.isoformat() if a.due_date else "", creditor, a.account_type or "", d.city or "", d.state or "",
         d.postal_code or "", *_itemization(i, a, creditor))
        for i, (a, d, creditor) in enumerate(db.session.execute(stmt))
    ]  # fmt: skip


def _itemization(index: int, account: Account, creditor: str) -> tuple:
    """The account charged off some weeks before placement, owing its original amount (or no itemization)."""
    if index % WITHOUT_ITEMIZATION == WITHOUT_ITEMIZATION - 1:
        return ("", "", "", "")
    day = (account.created_at - CHARGED_OFF_BEFORE).date()
    return (day.isoformat(), "charge_off", str(account.original_amount), creditor)


def _creditor_files(rows: list[tuple]) -> list[tuple[str, list[tuple]]]:
    by_creditor = defaultdict(list)
    for row in rows:
        by_creditor[row[7]].append(row)
    return [(f"{_slug(name)}-refresh.csv", lines) for name, lines in by_creditor.items()]


def _corrections(rows: list[tuple]) -> list[tuple]:
    fixed = [(*row[:5], row[5][:-4] + f"01{90 + i}", *row[6:]) for i, row in enumerate(rows[:CORRECTED_PHONES])]
    return fixed + list(BAD_ROWS)


def _import(agency_id: int, admin: User, path: Path, lines: list[tuple]) -> ImportJob:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([COLUMNS, *lines])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    job = receive.receive_path(agency_id, path, actor=admin, trigger="demo seed")
    return run.run_import(job.id)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
