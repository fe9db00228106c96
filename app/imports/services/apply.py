"""Applying a batch of valid rows: the one statement of what a new, a changed and an unchanged row do.

* A new ref creates a debtor (or joins, and updates, the one its ``debtor_ref`` names: the batch's last line
  for that ref wins), an account in status ``new`` with its balance equal to the original amount, and one
  ``import`` entry on the timeline.
* A known ref gets descriptive fields only (an empty optional cell keeps the stored value: a file never
  erases); status, assignment, notes and payments are never touched. A changed original amount moves the
  balance by the same delta, never below zero, with an ``adjustment`` entry saying so.
* A known ref whose values equal the stored ones writes nothing.

Both databases run the same path: one look-up of the batch's refs tells new from known and brings the stored
values (so an unchanged row is not staged at all), the rest is staged into a temporary table and applied by
the set-based statements of :mod:`app.imports.services.statements`. The few things the databases spell
differently (loading the staging table, allocating ids, building JSON, printing an amount, matching a list
of refs) come from :mod:`app.pg.imports` on PostgreSQL and :mod:`app.imports.services.portable` elsewhere.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app import crypto, pg
from app.accounts.models import Account, Creditor, build_search_text
from app.debtors.models import Debtor
from app.extensions import db
from app.imports.parsing import Row
from app.imports.services import portable, statements
from app.imports.services.itemizations import carries_itemizations, upsert_itemizations
from app.imports.services.writers import JobRef
from app.pg import imports as pg_imports
from app.timeutil import utcnow

DEBTOR_FIELDS = statements.DEBTOR_FIELDS


class Encryptor:
    """Encrypts and reads SSN last-4 values for one import run, each bound to its debtor's id.

    Ids of new debtors are allocated before staging (see :func:`_stage`), so a value is encrypted for its row
    before COPY writes it. A stored value that cannot be read counts as changed, so the file's value replaces it.
    """

    def __init__(self):
        self.keys = crypto.keyring()  # resolved once per run, not per row

    def aad(self, debtor_id: int) -> bytes:
        return crypto.associated_data(Debtor.__tablename__, "ssn_last4_encrypted", debtor_id)

    def decrypt(self, token: str, debtor_id: int) -> str | None:
        try:
            return self.keys.decrypt(token, self.aad(debtor_id))
        except crypto.DecryptionFailed:
            return None

    def __call__(self, value: str | None, debtor_id: int) -> str | None:
        return None if value is None else self.keys.encrypt(value, self.aad(debtor_id))


@dataclass(frozen=True, slots=True)
class Stored:
    """What an existing account and its debtor hold now, as the batch's look-up found them."""

    account_id: int
    debtor_id: int
    original_amount: Decimal
    due_date: object
    creditor_name: str | None
    account_type: str | None
    search_text: str
    fingerprint: str | None
    debtor: tuple  # full_name, the DEBTOR_FIELDS, then the encrypted SSN


@dataclass
class Staged:
    """What the staging table holds for this batch, so statements with nothing to do are not sent."""

    new: int = 0
    shared: int = 0  # new rows naming a debtor_ref
    changed: int = 0
    creditors: bool = False


def fragments():
    """The dialect's spelling of what the statements leave open (see the module docstring)."""
    return pg_imports if pg.active() else portable


def apply_batch(job: JobRef, rows: list[Row], encrypt: Encryptor) -> None:
    """Upsert ``rows`` (all valid) through the staging table, in the caller's transaction."""
    dialect = fragments()
    dialect.begin_batch()
    stored = _stored(dialect, job.agency_id, [r.ref for r in rows if r.known])
    staged = _stage(dialect, job.agency_id, rows, stored, encrypt)
    params = {"ag": job.agency_id, "job": job.id, "now": utcnow(), "file": job.file_name}
    params["body"] = f"Imported from {job.file_name}"
    for step in _steps(staged):
        for statement in statements.compiled(dialect, step):
            db.session.execute(statement, params)
    if staged.new or staged.changed:
        dialect.clear_staging(statements.STAGING)
    if carries_itemizations(rows):
        upsert_itemizations(dialect, job.agency_id, rows)


def _steps(staged: Staged) -> list:
    """The groups of statements this batch needs, in order."""
    wanted = (staged.creditors, staged.shared, staged.new, staged.changed)
    steps = (statements.creditors, statements.shared_debtors, statements.new_rows, statements.changed_rows)
    return [step for step, needed in zip(steps, wanted, strict=True) if needed]


def _stored(dialect, agency_id: int, refs: list[str]) -> dict[str, Stored]:
    found: dict[str, Stored] = {}
    if not refs:
        return found
    debtor = [Debtor.full_name, *(Debtor.__table__.c[c] for c in DEBTOR_FIELDS), Debtor.ssn_last4_encrypted]
    stmt = (
        select(Account.external_ref, Account.id, Account.debtor_id, Account.original_amount, Account.due_date)
        .add_columns(Creditor.name, Account.account_type, Account.search_text, Account.import_fingerprint, *debtor)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(Creditor, Creditor.id == Account.creditor_id)
        .where(Account.agency_id == agency_id, dialect.among(Account.external_ref, refs))
    )
    for ref, *account, fingerprint, name, email, phone, line1, line2, city, state, postal, ssn in db.session.execute(
        stmt
    ):
        found[ref] = Stored(*account, fingerprint, (name, email, phone, line1, line2, city, state, postal, ssn))
    return found


def _debtor_ids(dialect, agency_id: int, refs: list[str]) -> dict[str, int]:
    """The ids of the agency's debtors named by ``refs`` that exist already."""
    if not refs:
        return {}
    stmt = select(Debtor.debtor_ref, Debtor.id).where(
        Debtor.agency_id == agency_id, dialect.among(Debtor.debtor_ref, refs)
    )
    return dict(db.session.execute(stmt).all())


def _stage(dialect, agency_id: int, rows: list[Row], stored: dict[str, Stored], encrypt: Encryptor) -> Staged:
    """Load the new rows and the changed known ones into the staging table; say what it holds."""
    fresh = [r for r in rows if r.ref not in stored]
    last_of_ref = {r.data["debtor_ref"]: r.line_no for r in fresh if r.data["debtor_ref"]}
    known_debtors = _debtor_ids(dialect, agency_id, list(last_of_ref))
    account_ids = dialect.next_ids(Account.__table__, len(fresh))
    # An id for each debtor the batch creates: one per row without a debtor_ref, one per new debtor_ref (its
    # last line's). An existing shared debtor keeps its id, which its SSN is bound to. The other lines of a
    # debtor_ref learn the id from the shared debtor's row.
    new_refs = len(last_of_ref) - len(known_debtors)
    debtor_ids = dialect.next_ids(
        Debtor.__table__, len(fresh) - sum(1 for r in fresh if r.data["debtor_ref"]) + new_refs
    )
    staged, lines = Staged(), []
    for row in rows:
        old = stored.get(row.ref)
        if old is None:
            shared = row.data["debtor_ref"]
            writes = shared is not None and last_of_ref[shared] == row.line_no
            debtor_id = None
            if shared is None or writes:
                debtor_id = known_debtors[shared] if shared in known_debtors else next(debtor_ids)
            lines.append(_values(row, True, next(account_ids), debtor_id, writes, None, encrypt))
            staged.new += 1
            staged.shared += shared is not None
        else:
            values = _values(row, False, old.account_id, old.debtor_id, False, old, encrypt)
            values[2] = _debtor_changes(values, old)
            if not (values[2] or _account_changes(values, old)):
                continue
            lines.append(values)
            staged.changed += 1
        staged.creditors = staged.creditors or row.data["creditor_name"] is not None
    if lines:
        dialect.load_staging(statements.STAGING, lines)
    return staged


def _values(row: Row, is_new: bool, account_id: int, debtor_id, writes_debtor: bool, old: Stored | None, encrypt):
    """One staging line, in ``statements.COLUMNS`` order."""
    d = row.data
    ssn, stored = d["debtor_ssn_last4"], old.debtor[-1] if old else None
    if ssn is not None and stored is not None and encrypt.decrypt(stored, debtor_id) == ssn:
        ssn = None  # unchanged: keep the stored token instead of rewriting the row
    email = d["debtor_email"] or (old.debtor[1] if old else None)
    ssn_token = None if debtor_id is None else encrypt(ssn, debtor_id)  # a line sharing another's debtor writes none
    return [
        row.line_no, is_new, writes_debtor, account_id, debtor_id, row.ref, d["debtor_ref"], d["debtor_name"],
        d["debtor_email"], d["debtor_phone"], d["address_line1"], d["address_line2"], d["city"], d["state"],
        d["postal_code"], ssn_token, d["original_amount"], d["due_date"], d["creditor_name"], d["account_type"],
        build_search_text(row.ref, d["debtor_name"], email), row.fingerprint, old and old.original_amount,
    ]  # fmt: skip


def _account_changes(values: list, old: Stored) -> bool:
    """Whether staging this known row would change its account (empty optional cells keep stored values)."""
    amount, due, creditor, kind, search, fingerprint = values[16:22]
    if amount != old.original_amount or search != old.search_text or fingerprint != old.fingerprint:
        return True
    return (due, creditor, kind) != (due or old.due_date, creditor or old.creditor_name, kind or old.account_type)


def _debtor_changes(values: list, old: Stored) -> bool:
    """Whether staging this known row would change its debtor (a new SSN token is a change: see ``_values``)."""
    debtor = values[7:16]  # full_name, the DEBTOR_FIELDS, the SSN token (None when unchanged)
    if debtor[-1] is not None or debtor[0] != old.debtor[0]:
        return True
    return any(new is not None and new != kept for new, kept in zip(debtor[1:-1], old.debtor[1:-1], strict=True))
