"""The threaded import path: on PostgreSQL two writer threads, each on its own connection with real commits,
end where the inline path ends; SQLite always writes inline."""

from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Account, Activity, Creditor
from app.compliance.models import Itemization
from app.debtors.models import Debtor
from app.imports.models import ImportBatch, ImportJob, ImportRowError
from app.imports.services import receive, run, writers
from tests import factories as f
from tests.imports.conftest import HEADER, ITEMIZED_HEADER

ROWS = 400  # eight batches of the suite's 50 rows


def _file(path, raise_cents: int = 0):
    lines = [HEADER]
    for i in range(ROWS):
        if i % 37 == 5:
            lines.append(f"W{i},Broken {i},12.345,1234,x@example.com,555-0100,2026-01-01,Acme,medical")
            continue
        cents = 10_000 + i * 7 + raise_cents
        lines.append(
            f"W{i},Debtor {i},{cents // 100}.{cents % 100:02d},{i % 10000:04d},d{i}@example.com,555-{i:04d},"
            f"2026-{i % 12 + 1:02d}-15,{('Acme', 'Globex', '')[i % 3]},{('medical', '')[i % 2]}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _import(agency_id: int, path) -> ImportJob:
    job = receive.receive_path(agency_id, path)
    run.run_import(job.id)
    return job


def _outcome(session, agency_id: int, job_ids: list[int]) -> dict:
    """Everything the imports wrote for the agency, without ids and times (which differ between runs)."""
    accounts = session.execute(
        select(Account, Debtor, Creditor.name)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(Creditor, Creditor.id == Account.creditor_id)
        .where(Account.agency_id == agency_id)
        .order_by(Account.external_ref)
    ).all()
    entries = session.execute(
        select(Account.external_ref, Activity.kind, Activity.body, Activity.details)
        .join(Account, Account.id == Activity.account_id)
        .where(Activity.agency_id == agency_id)
        .order_by(Account.external_ref, Activity.id)
    ).all()
    jobs = [session.get(ImportJob, job_id) for job_id in job_ids]
    errors = session.execute(
        select(ImportRowError.job_id, ImportRowError.line_no, ImportRowError.column, ImportRowError.message)
        .where(ImportRowError.job_id.in_(job_ids))
        .order_by(ImportRowError.job_id, ImportRowError.line_no)
    ).all()
    return {
        "accounts": [
            (
                a.external_ref,
                a.original_amount,
                a.current_balance,
                a.status,
                a.due_date,
                a.account_type,
                name,
                a.search_text,
                a.import_fingerprint,
                d.full_name,
                d.email,
                d.phone,
                d.ssn_last4,
            )
            for a, d, name in accounts
        ],  # fmt: skip
        "entries": [
            (ref, kind, body, {k: v for k, v in details.items() if k != "import_job_id"})
            for ref, kind, body, details in entries
        ],  # fmt: skip
        "jobs": [(j.status, j.total, j.ok, j.created, j.updated, j.errors, j.lines_done) for j in jobs],
        "errors": [(job_ids.index(job_id), line, column, message) for job_id, line, column, message in errors],
    }


def _run_files(session, tmp_path, agency_id: int, name: str) -> list[int]:
    """A first import, then a refresh in which every amount changed."""
    folder = tmp_path / name  # the same file names: they are quoted on the timeline
    folder.mkdir()
    first = _import(agency_id, _file(folder / "first.csv"))
    changed = _import(agency_id, _file(folder / "changed.csv", raise_cents=150))
    session.commit()
    return [first.id, changed.id]


def test_two_writer_threads_end_where_the_inline_path_ends(app, committed_session, is_postgres, tmp_path, monkeypatch):
    threaded, inline = f.AgencyFactory(), f.AgencyFactory()
    committed_session.commit()
    monkeypatch.setitem(app.config, "IMPORT_WRITERS", 2)
    assert writers.writer_count() == (2 if is_postgres else 0)  # SQLite has one writer: always inline
    threaded_jobs = _run_files(committed_session, tmp_path, threaded.id, "threaded")
    batches = committed_session.scalars(select(ImportBatch).where(ImportBatch.job_id == threaded_jobs[1])).all()
    assert len(batches) == ROWS // 50  # every batch committed its own checkpoint
    monkeypatch.setitem(app.config, "IMPORT_WRITERS", 0)
    assert writers.writer_count() == 0
    inline_jobs = _run_files(committed_session, tmp_path, inline.id, "inline")
    result = _outcome(committed_session, threaded.id, threaded_jobs)
    assert result == _outcome(committed_session, inline.id, inline_jobs)
    assert len(result["accounts"]) == ROWS - len(range(5, ROWS, 37))
    assert {kind for _, kind, _, _ in result["entries"]} == {"import", "adjustment"}


def test_writer_threads_write_every_itemization(app, committed_session, tmp_path, monkeypatch):
    """On PostgreSQL two writer threads with real commits apply the batches; SQLite writes inline."""
    agency = f.AgencyFactory()
    committed_session.commit()
    monkeypatch.setitem(app.config, "IMPORT_WRITERS", 2)
    rows = [f"T{i},Debtor {i},{100 + i}.00,2026-05-{i % 28 + 1:02d},judgment,{100 + i}.00,,,,Bank {i % 3},\n"
            for i in range(240)]  # fmt: skip
    path = tmp_path / "itemized.csv"
    path.write_text(ITEMIZED_HEADER + "".join(rows))
    job = receive.receive_path(agency.id, path)
    run.run_import(job.id)
    committed_session.commit()
    found = committed_session.execute(
        select(Account.external_ref, Itemization.amount_on_date, Itemization.agency_id)
        .join(Itemization, Itemization.account_id == Account.id)
        .where(Account.agency_id == agency.id)
    ).all()
    assert sorted(found) == sorted((f"T{i}", Decimal(100 + i), agency.id) for i in range(240))
