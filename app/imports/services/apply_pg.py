"""The PostgreSQL fast path: COPY a batch into a temporary staging table, then set-based statements.

Same rules as :mod:`apply_rows` (the portable reference; the tests hold both to them): new refs create a
debtor (or join the one named by ``debtor_ref``), an account in status ``new`` and one import entry;
existing refs get descriptive fields only, and a changed original amount moves the balance by the same delta
(never below zero) with an adjustment entry.

What makes it fast:

* one look-up of the batch's refs tells new from existing and brings the stored values, so a row that
  changes nothing is not staged at all (re-importing an unchanged file writes nothing but its checkpoints);
* new accounts and debtors get their ids from their sequences up front, so every statement reads the
  staging table alone or joins it to a big table by key: no statement joins staging to itself;
* hash and merge joins are off for the batch, so each join is an index look-up per staged row, whatever
  the planner guesses about a table loaded a moment ago (a guess once made one upsert 20x slower), and JIT
  is off (it cost hundreds of ms per statement);
* statements whose rows are absent from the batch are not sent.
"""

import csv
import io
from dataclasses import dataclass

from sqlalchemy import text

from app.accounts.models import build_search_text
from app.extensions import db
from app.imports.parsing import Row
from app.imports.services.apply_rows import Encryptor
from app.imports.services.writers import JobRef
from app.timeutil import utcnow

COLUMNS = (
    "line_no", "is_new", "account_id", "debtor_id", "external_ref", "debtor_ref", "full_name", "email", "phone",
    "address_line1", "address_line2", "city", "state", "postal_code", "ssn_enc", "original_amount", "due_date",
    "creditor_name", "account_type", "search_text", "fingerprint",
)  # fmt: skip
TYPES = {"line_no": "integer", "is_new": "boolean", "account_id": "integer", "debtor_id": "integer",
         "original_amount": "numeric(12,2)", "due_date": "date"}  # fmt: skip
CREATE_STAGING = f"""CREATE TEMP TABLE IF NOT EXISTS import_staging (
  {", ".join(f"{c} {TYPES.get(c, 'text')}" for c in COLUMNS)}) ON COMMIT DELETE ROWS"""
# Per batch transaction: no JIT (it cost hundreds of ms per statement); joins by index look-up whatever the
# planner guesses; commit without waiting for the WAL flush (a batch lost to a crash is redone on resume: its
# checkpoint is lost with it).
BATCH_SETTINGS = """SELECT set_config('jit', 'off', true), set_config('enable_hashjoin', 'off', true),
  set_config('enable_mergejoin', 'off', true), set_config('synchronous_commit', 'off', true)"""
SEQUENCES: dict[str, str] = {}
DEBTOR_FIELDS = ("email", "phone", "address_line1", "address_line2", "city", "state", "postal_code")
DEBTOR_COLS = f"full_name, {', '.join(DEBTOR_FIELDS)}, ssn_last4_encrypted"
DEBTOR_VALS = f"s.full_name, {', '.join('s.' + c for c in DEBTOR_FIELDS)}, s.ssn_enc"
KEEP = (*DEBTOR_FIELDS, "ssn_last4_encrypted")
STORED = text(f"""
SELECT a.external_ref, a.id, a.debtor_id, a.original_amount, a.due_date, c.name, a.account_type, a.search_text,
       a.import_fingerprint, d.full_name, {", ".join("d." + c for c in DEBTOR_FIELDS)}, d.ssn_last4_encrypted
FROM accounts a JOIN debtors d ON d.id = a.debtor_id LEFT JOIN creditors c ON c.id = a.creditor_id
WHERE a.agency_id = :ag AND a.external_ref = ANY(:refs)""")  # noqa: S608
CREDITORS = """INSERT INTO creditors (agency_id, name) SELECT DISTINCT :ag, creditor_name FROM import_staging
  WHERE creditor_name IS NOT NULL ORDER BY 2 ON CONFLICT DO NOTHING"""
SHARED_DEBTORS = (
    f"""INSERT INTO debtors (agency_id, debtor_ref, {DEBTOR_COLS}, created_at, updated_at)
    SELECT DISTINCT ON (s.debtor_ref) :ag, s.debtor_ref, {DEBTOR_VALS}, :now, :now FROM import_staging s
    WHERE s.is_new AND s.debtor_ref IS NOT NULL ORDER BY s.debtor_ref, s.line_no DESC
    ON CONFLICT (agency_id, debtor_ref) WHERE debtor_ref IS NOT NULL DO UPDATE SET full_name = excluded.full_name,
    {", ".join(f"{c} = COALESCE(excluded.{c}, debtors.{c})" for c in KEEP)}, updated_at = :now""",  # noqa: S608
    """UPDATE import_staging s SET debtor_id = d.id FROM debtors d
    WHERE s.is_new AND s.debtor_ref IS NOT NULL AND d.agency_id = :ag AND d.debtor_ref = s.debtor_ref""",
)
NEW_ROWS = (
    f"""INSERT INTO debtors (id, agency_id, {DEBTOR_COLS}, created_at, updated_at)
    SELECT s.debtor_id, :ag, {DEBTOR_VALS}, :now, :now FROM import_staging s
    WHERE s.is_new AND s.debtor_ref IS NULL""",  # noqa: S608
    """INSERT INTO accounts (id, agency_id, debtor_id, creditor_id, external_ref, account_type, original_amount,
      current_balance, status, priority, due_date, search_text, import_fingerprint, created_at, updated_at)
    SELECT s.account_id, :ag, s.debtor_id, c.id, s.external_ref, s.account_type, s.original_amount,
      s.original_amount, 'new', 1, s.due_date, s.search_text, s.fingerprint, :now, :now
    FROM import_staging s LEFT JOIN creditors c ON c.agency_id = :ag AND c.name = s.creditor_name
    WHERE s.is_new ORDER BY s.account_id""",
    """INSERT INTO activities (agency_id, account_id, kind, body, details, created_at)
    SELECT :ag, s.account_id, 'import', :body, json_build_object('import_job_id', :job, 'line', s.line_no), :now
    FROM import_staging s WHERE s.is_new ORDER BY s.account_id""",
)
CHANGED_ROWS = (
    f"""UPDATE debtors d SET full_name = s.full_name,
    {", ".join(f"{c} = COALESCE({'s.ssn_enc' if c == 'ssn_last4_encrypted' else 's.' + c}, d.{c})" for c in KEEP)},
    updated_at = :now FROM import_staging s WHERE NOT s.is_new AND d.id = s.debtor_id
    AND ((d.full_name, {", ".join("d." + c for c in DEBTOR_FIELDS)}) IS DISTINCT FROM
      (s.full_name, {", ".join(f"COALESCE(s.{c}, d.{c})" for c in DEBTOR_FIELDS)}) OR s.ssn_enc IS NOT NULL)""",  # noqa: S608
    """INSERT INTO activities (agency_id, account_id, kind, body, details, created_at)
    SELECT :ag, a.id, 'adjustment',
      format('Original amount changed from %s to %s by %s; balance moved by %s.', a.original_amount,
             s.original_amount, CAST(:file AS text), s.original_amount - a.original_amount),
      json_build_object('import_job_id', :job, 'line', s.line_no, 'old', a.original_amount::text,
                        'new', s.original_amount::text, 'delta', (s.original_amount - a.original_amount)::text),
      :now
    FROM import_staging s JOIN accounts a ON a.id = s.account_id
    WHERE NOT s.is_new AND a.original_amount <> s.original_amount""",
    """UPDATE accounts a SET original_amount = s.original_amount,
      current_balance = GREATEST(0, a.current_balance + s.original_amount - a.original_amount),
      due_date = COALESCE(s.due_date, a.due_date), creditor_id = COALESCE(c.id, a.creditor_id),
      account_type = COALESCE(s.account_type, a.account_type), search_text = s.search_text,
      import_fingerprint = s.fingerprint, updated_at = :now
    FROM import_staging s LEFT JOIN creditors c ON c.agency_id = :ag AND c.name = s.creditor_name
    WHERE NOT s.is_new AND a.id = s.account_id
      AND (a.original_amount, a.due_date, a.creditor_id, a.account_type, a.search_text, a.import_fingerprint)
      IS DISTINCT FROM (s.original_amount, COALESCE(s.due_date, a.due_date), COALESCE(c.id, a.creditor_id),
                        COALESCE(s.account_type, a.account_type), s.search_text, s.fingerprint)""",
)


@dataclass(frozen=True, slots=True)
class Stored:
    """What an existing account and its debtor hold now, as the batch's look-up found them."""

    account_id: int
    debtor_id: int
    original_amount: object
    due_date: object
    creditor_name: str | None
    account_type: str | None
    search_text: str
    fingerprint: str | None
    debtor: tuple  # full_name, the DEBTOR_FIELDS, then the encrypted SSN


def upsert_batch(job: JobRef, rows: list[Row], encrypt: Encryptor) -> None:
    """Upsert ``rows`` (valid, each changing something) through the staging table, in the caller's transaction."""
    db.session.execute(text(BATCH_SETTINGS))
    stored = _stored(job.agency_id, [r.ref for r in rows if r.known])
    _upsert(job, _stage(rows, stored, encrypt))


def _stored(agency_id: int, refs: list[str]) -> dict[str, Stored]:
    found: dict[str, Stored] = {}
    if not refs:
        return found
    for ref, *account, fingerprint, name, email, phone, line1, line2, city, state, postal, ssn in db.session.execute(
        STORED, {"ag": agency_id, "refs": refs}
    ):
        found[ref] = Stored(*account, fingerprint, (name, email, phone, line1, line2, city, state, postal, ssn))
    return found


@dataclass
class Staged:
    new: int = 0
    shared: int = 0  # new rows naming a debtor_ref
    changed: int = 0
    creditors: bool = False


def _stage(rows: list[Row], stored: dict[str, Stored], encrypt: Encryptor) -> Staged:
    """COPY the new rows and the changed existing ones into the staging table; say what it holds."""
    fresh = [r for r in rows if r.ref not in stored]
    account_ids = _next_ids("accounts", len(fresh))
    debtor_ids = _next_ids("debtors", sum(1 for r in fresh if not r.data["debtor_ref"]))
    staged, lines = Staged(), []
    for row in rows:
        old = stored.get(row.ref)
        if old is None:
            debtor_id = None if row.data["debtor_ref"] else next(debtor_ids)
            lines.append(_values(row, True, next(account_ids), debtor_id, None, encrypt))
            staged.new += 1
            staged.shared += debtor_id is None
        else:
            values = _values(row, False, old.account_id, old.debtor_id, old, encrypt)
            if not _changes(values, old):
                continue
            lines.append(values)
            staged.changed += 1
        staged.creditors = staged.creditors or row.data["creditor_name"] is not None
    if lines:
        _copy(lines)
    return staged


def _next_ids(table: str, count: int):
    if not count:
        return iter(())
    sequence = SEQUENCES.get(table)
    if sequence is None:
        sequence = SEQUENCES[table] = db.session.scalar(text(f"SELECT pg_get_serial_sequence('{table}', 'id')"))
    sql = text("SELECT nextval(CAST(:seq AS regclass)) FROM generate_series(1, :n)")
    return iter(db.session.scalars(sql, {"seq": sequence, "n": count}).all())


def _values(row: Row, is_new: bool, account_id: int, debtor_id: int | None, old: Stored | None, encrypt) -> list:
    d = row.data
    ssn = d["debtor_ssn_last4"]
    if ssn is not None and old is not None and old.debtor[-1] is not None and encrypt.decrypt(old.debtor[-1]) == ssn:
        ssn = None  # unchanged: keep the stored token instead of rewriting the row
    email = d["debtor_email"] or (old.debtor[1] if old else None)
    return [
        row.line_no, is_new, account_id, debtor_id, row.ref, d["debtor_ref"], d["debtor_name"], d["debtor_email"],
        d["debtor_phone"], d["address_line1"], d["address_line2"], d["city"], d["state"], d["postal_code"],
        encrypt(ssn), d["original_amount"], d["due_date"], d["creditor_name"], d["account_type"],
        build_search_text(row.ref, d["debtor_name"], email), row.fingerprint,
    ]  # fmt: skip


def _changes(values: list, old: Stored) -> bool:
    """Whether staging this existing row would change anything (empty optional cells keep stored values)."""
    amount, due, creditor, kind, search, fingerprint = values[15:21]
    if amount != old.original_amount or search != old.search_text or fingerprint != old.fingerprint:
        return True
    if (due, creditor, kind) != (due or old.due_date, creditor or old.creditor_name, kind or old.account_type):
        return True
    debtor = values[6:15]  # full_name, the DEBTOR_FIELDS, the SSN token (None when unchanged)
    if debtor[-1] is not None or debtor[0] != old.debtor[0]:
        return True
    return any(new is not None and new != kept for new, kept in zip(debtor[1:-1], old.debtor[1:-1], strict=True))


def _copy(lines: list[list]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    buffer.seek(0)
    db.session.execute(text(CREATE_STAGING))
    cursor = db.session.connection().connection.cursor()
    with cursor.copy(f"COPY import_staging ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def _upsert(job: JobRef, staged: Staged) -> None:
    params = {"ag": job.agency_id, "job": job.id, "now": utcnow(), "file": job.file_name}
    params["body"] = f"Imported from {job.file_name}"
    steps = [CREDITORS] if staged.creditors else []
    steps += list(SHARED_DEBTORS) if staged.shared else []
    steps += list(NEW_ROWS) if staged.new else []
    steps += list(CHANGED_ROWS) if staged.changed else []
    for sql in steps:
        db.session.execute(text(sql), params)
    if staged.new or staged.changed:
        db.session.execute(text("TRUNCATE import_staging"))
