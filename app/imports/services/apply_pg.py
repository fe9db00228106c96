"""The PostgreSQL fast path: COPY a batch into a temporary staging table, then set-based upserts.

Same rules as :mod:`apply_rows` (the portable reference, and the tests hold both to them): new refs create
a debtor (or join the one named by ``debtor_ref``), an account in status ``new`` and one import entry;
existing refs get descriptive fields only, and a changed original amount moves the balance by the same delta
(never below zero) with an adjustment entry. Unchanged rows are not written at all, so re-importing an
unchanged file costs little more than reading it. JIT is off for these statements: it cost hundreds of ms each.
"""

import csv
import io

from sqlalchemy import bindparam, select, text

from app.accounts.models import Account, build_search_text
from app.debtors.models import Debtor
from app.extensions import db
from app.imports.models import ImportJob
from app.imports.parsing import Row
from app.imports.services.apply_rows import Encryptor
from app.imports.services.run import add_counts, record_row_errors
from app.timeutil import utcnow

COLUMNS = (
    "line_no", "external_ref", "debtor_ref", "full_name", "email", "phone", "address_line1", "address_line2",
    "city", "state", "postal_code", "ssn_enc", "original_amount", "due_date", "creditor_name", "account_type",
    "search_text",
)  # fmt: skip
CREATE_STAGING = f"""
CREATE TEMP TABLE IF NOT EXISTS import_staging (
  {", ".join(f"{c} text" for c in COLUMNS if c not in ("line_no", "original_amount", "due_date"))},
  line_no integer, original_amount numeric(12,2), due_date date, account_id integer, debtor_id integer
) ON COMMIT DELETE ROWS"""
DEBTOR_COLS = "full_name, email, phone, address_line1, address_line2, city, state, postal_code, ssn_last4_encrypted"
DEBTOR_VALS = (
    "s.full_name, s.email, s.phone, s.address_line1, s.address_line2, s.city, s.state, s.postal_code, s.ssn_enc"
)
KEEP = ("email", "phone", "address_line1", "address_line2", "city", "state", "postal_code", "ssn_last4_encrypted")
STEPS = (
    """INSERT INTO creditors (agency_id, name) SELECT DISTINCT :ag, creditor_name FROM import_staging
       WHERE creditor_name IS NOT NULL ON CONFLICT DO NOTHING""",
    """UPDATE import_staging s SET account_id = a.id, debtor_id = a.debtor_id FROM accounts a
       WHERE a.agency_id = :ag AND a.external_ref = s.external_ref""",
    # Statistics after matching: without them the planner expects no existing accounts and picks loops.
    "ANALYZE import_staging",
    f"""INSERT INTO debtors (agency_id, debtor_ref, {DEBTOR_COLS}, created_at, updated_at)
       SELECT DISTINCT ON (s.debtor_ref) :ag, s.debtor_ref, {DEBTOR_VALS}, :now, :now FROM import_staging s
       WHERE s.account_id IS NULL AND s.debtor_ref IS NOT NULL ORDER BY s.debtor_ref, s.line_no DESC
       ON CONFLICT (agency_id, debtor_ref) DO UPDATE SET full_name = excluded.full_name,
       {", ".join(f"{c} = COALESCE(excluded.{c}, debtors.{c})" for c in KEEP)}, updated_at = :now""",  # noqa: S608
    """UPDATE import_staging s SET debtor_id = d.id FROM debtors d
       WHERE s.account_id IS NULL AND d.agency_id = :ag AND d.debtor_ref = s.debtor_ref""",
    """UPDATE import_staging SET debtor_id = nextval(pg_get_serial_sequence('debtors', 'id'))
       WHERE account_id IS NULL AND debtor_id IS NULL""",
    f"""INSERT INTO debtors (id, agency_id, {DEBTOR_COLS}, created_at, updated_at)
       SELECT s.debtor_id, :ag, {DEBTOR_VALS}, :now, :now FROM import_staging s
       WHERE s.account_id IS NULL AND s.debtor_ref IS NULL""",  # noqa: S608
    """WITH fresh AS (
         INSERT INTO accounts (agency_id, debtor_id, creditor_id, external_ref, account_type, original_amount,
           current_balance, status, priority, due_date, search_text, created_at, updated_at)
         SELECT :ag, s.debtor_id, c.id, s.external_ref, s.account_type, s.original_amount, s.original_amount, 'new', 1,
           s.due_date, s.search_text, :now, :now
         FROM import_staging s LEFT JOIN creditors c ON c.agency_id = :ag AND c.name = s.creditor_name
         WHERE s.account_id IS NULL RETURNING id, external_ref)
       INSERT INTO activities (agency_id, account_id, kind, body, details, created_at)
       SELECT :ag, f.id, 'import', :body, json_build_object('import_job_id', :job, 'line', s.line_no), :now
       FROM fresh f JOIN import_staging s ON s.external_ref = f.external_ref""",
    f"""UPDATE debtors d SET full_name = s.full_name,
       {", ".join(f"{c} = COALESCE({'s.ssn_enc' if c == 'ssn_last4_encrypted' else 's.' + c}, d.{c})" for c in KEEP)},
       updated_at = :now
       FROM import_staging s WHERE s.account_id IS NOT NULL AND d.id = s.debtor_id
       AND ((d.full_name, d.email, d.phone, d.address_line1, d.address_line2, d.city, d.state, d.postal_code)
       IS DISTINCT FROM (s.full_name, COALESCE(s.email, d.email), COALESCE(s.phone, d.phone),
         COALESCE(s.address_line1, d.address_line1), COALESCE(s.address_line2, d.address_line2),
         COALESCE(s.city, d.city), COALESCE(s.state, d.state), COALESCE(s.postal_code, d.postal_code))
         OR s.ssn_enc IS NOT NULL)""",  # noqa: S608
    """INSERT INTO activities (agency_id, account_id, kind, body, details, created_at)
       SELECT :ag, a.id, 'adjustment',
         format('Original amount changed from %s to %s by %s; balance moved by %s.', a.original_amount,
                s.original_amount, :file, s.original_amount - a.original_amount),
         json_build_object('import_job_id', :job, 'line', s.line_no, 'old', a.original_amount::text,
                           'new', s.original_amount::text, 'delta', (s.original_amount - a.original_amount)::text),
         :now
       FROM import_staging s JOIN accounts a ON a.id = s.account_id WHERE a.original_amount <> s.original_amount""",
    """UPDATE accounts a SET original_amount = s.original_amount,
         current_balance = GREATEST(0, a.current_balance + s.original_amount - a.original_amount),
         due_date = COALESCE(s.due_date, a.due_date), creditor_id = COALESCE(c.id, a.creditor_id),
         account_type = COALESCE(s.account_type, a.account_type), search_text = s.search_text, updated_at = :now
       FROM import_staging s LEFT JOIN creditors c ON c.agency_id = :ag AND c.name = s.creditor_name
       WHERE a.id = s.account_id AND (a.original_amount, a.due_date, a.creditor_id, a.account_type, a.search_text)
         IS DISTINCT FROM (s.original_amount, COALESCE(s.due_date, a.due_date), COALESCE(c.id, a.creditor_id),
                           COALESCE(s.account_type, a.account_type), s.search_text)""",
)


def apply_checked_batch(job: ImportJob, rows: list[Row], encrypt: Encryptor) -> None:
    """Record the batch's bad rows and upsert its good ones through the staging table."""
    good = [r for r in rows if r.data is not None]
    record_row_errors(job, [r for r in rows if r.data is None])
    created = updated = 0
    if good:
        db.session.execute(text("SET LOCAL jit = off"))
        db.session.execute(text(CREATE_STAGING))
        known = _known_debtors(job.agency_id, [r.ref for r in good])
        _copy(good, known, encrypt)
        created, updated = _upsert(job)
    add_counts(job, len(rows), len(good), created, updated)


def _known_debtors(agency_id: int, refs: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """For refs that already exist: the stored email and encrypted SSN of their debtor."""
    stmt = (
        select(Account.external_ref, Debtor.email, Debtor.ssn_last4_encrypted)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(Account.agency_id == agency_id, Account.external_ref.in_(bindparam("refs", expanding=True)))
    )
    rows = db.session.execute(stmt, {"refs": refs})
    return {ref: (email, ssn) for ref, email, ssn in rows}


def _copy(rows: list[Row], known: dict, encrypt: Encryptor) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(_staging_values(row, known.get(row.ref), encrypt))
    buffer.seek(0)
    cursor = db.session.connection().connection.cursor()
    cursor.copy_expert(f"COPY import_staging ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer)


def _staging_values(row: Row, known, encrypt: Encryptor) -> list:
    d = row.data
    ssn = d["debtor_ssn_last4"]
    if ssn is not None and known is not None and known[1] is not None and encrypt.decrypt(known[1]) == ssn:
        ssn = None  # unchanged: keep the stored token instead of rewriting the row
    email = d["debtor_email"] or (known[0] if known else None)
    search = build_search_text(row.ref, d["debtor_name"], email)
    return [
        row.line_no, row.ref, d["debtor_ref"], d["debtor_name"], d["debtor_email"], d["debtor_phone"],
        d["address_line1"], d["address_line2"], d["city"], d["state"], d["postal_code"], encrypt(ssn),
        d["original_amount"], d["due_date"], d["creditor_name"], d["account_type"], search,
    ]  # fmt: skip


def _upsert(job: ImportJob) -> tuple[int, int]:
    params = {"ag": job.agency_id, "job": job.id, "now": utcnow(), "file": job.file_name}
    params["body"] = f"Imported from {job.file_name}"
    for sql in STEPS:
        db.session.execute(text(sql), params)
    counts = db.session.execute(
        text("SELECT count(*) FILTER (WHERE account_id IS NULL), count(account_id) FROM import_staging")
    )
    created, updated = counts.one()
    db.session.execute(text("TRUNCATE import_staging"))
    return created, updated
