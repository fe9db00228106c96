"""Helpers for import tests: run a CSV text through the real pipeline."""

import pytest

from app.imports.models import ImportJob
from app.imports.services import receive, run

HEADER = (
    "external_ref,debtor_name,original_amount,debtor_ssn_last4,debtor_email,debtor_phone,due_date,"
    "creditor_name,account_type"
)
ITEMIZED_HEADER = (
    "external_ref,debtor_name,original_amount,itemization_date,itemization_reference,itemization_amount,"
    "itemization_interest,itemization_fees,itemization_payments_credits,itemization_creditor,original_creditor\n"
)


@pytest.fixture
def import_csv(tmp_path, db):
    """Import ``text`` (str or bytes) for an agency; returns the finished job."""
    counter = iter(range(10_000))

    def _import(agency, text, name: str | None = None, actor=None) -> ImportJob:
        path = tmp_path / (name or f"file{next(counter)}.csv")
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        job = receive.receive_path(agency.id, path, actor=actor)
        run.run_import(job.id)
        db.session.refresh(job)
        return job

    return _import


def errors_of(job: ImportJob) -> list[tuple[int, str, str]]:
    from app.extensions import db
    from app.imports.models import ImportRowError

    rows = db.session.query(ImportRowError).filter_by(job_id=job.id).order_by(ImportRowError.line_no).all()
    return [(e.line_no, e.column, e.message) for e in rows]
