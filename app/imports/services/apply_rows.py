"""Applying a batch of valid rows: set-based upserts keyed by (agency, external_ref), portable SQL.

Used on SQLite, and on PostgreSQL as the reference the fast path (``apply_pg``) must agree with.
Existing accounts get descriptive fields only; status, assignment, notes and payments are never touched,
and a changed original amount moves the balance by the same delta (never below zero), on the timeline.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import crypto
from app.accounts.models import Account, Activity, ActivityKind, Creditor, build_search_text
from app.accounts.states import Status
from app.debtors.models import Debtor
from app.extensions import db
from app.imports.parsing import Row
from app.imports.services.writers import JobRef
from app.timeutil import utcnow

CACHE_LIMIT = 50_000
DEBTOR_FIELDS = ("debtor_phone", "address_line1", "address_line2", "city", "state", "postal_code")


@dataclass
class Existing:
    id: int
    debtor_id: int
    original_amount: Decimal
    email: str | None


class Encryptor:
    """Encrypts SSN last-4 values for one import run, reusing the token for a repeated value.

    It also decrypts stored tokens (once per distinct token) so a re-import can skip unchanged values.
    """

    def __init__(self):
        self.cache: dict[str, str] = {}
        self.plain: dict[str, str | None] = {}

    def decrypt(self, token: str) -> str | None:
        if token not in self.plain:
            if len(self.plain) >= CACHE_LIMIT:
                self.plain.clear()  # tokens written one by one (not by imports) are all distinct
            self.plain[token] = crypto.decrypt(token)
        return self.plain[token]

    def __call__(self, value: str | None) -> str | None:
        if value is None:
            return None
        if value not in self.cache:
            self.cache[value] = crypto.encrypt(value)
        return self.cache[value]


def apply_batch(job: JobRef, rows: list[Row], encrypt: Encryptor) -> None:
    """Upsert the accounts of ``rows`` (all valid) in the caller's transaction."""
    agency_id, job_id, file_name = job.agency_id, job.id, job.file_name
    creditors = ensure_creditors(agency_id, {r.data["creditor_name"] for r in rows} - {None})
    existing = _lock_existing(agency_id, [r.ref for r in rows])
    fresh = [r for r in rows if r.ref not in existing]
    known = [r for r in rows if r.ref in existing]
    debtor_ids = _debtors_for_new(agency_id, fresh, encrypt)
    _create_accounts(agency_id, job_id, file_name, fresh, debtor_ids, creditors)
    _update_debtors([(existing[r.ref].debtor_id, r) for r in known], encrypt)
    _update_accounts(agency_id, job_id, file_name, known, existing, creditors)


def _dialect_insert(model):
    return pg_insert(model) if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert(model)


def ensure_creditors(agency_id: int, names: set[str]) -> dict[str, int]:
    """Creditor ids by name, creating the missing ones."""
    if not names:
        return {}
    rows = [{"agency_id": agency_id, "name": n} for n in sorted(names)]
    db.session.execute(_dialect_insert(Creditor).values(rows).on_conflict_do_nothing())
    stmt = select(Creditor.name, Creditor.id).where(Creditor.agency_id == agency_id, Creditor.name.in_(names))
    return dict(db.session.execute(stmt).tuples().all())


def _lock_existing(agency_id: int, refs: list[str]) -> dict[str, Existing]:
    stmt = (
        select(Account.external_ref, Account.id, Account.debtor_id, Account.original_amount, Debtor.email)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(Account.agency_id == agency_id, Account.external_ref.in_(refs))
        .with_for_update(of=Account)
    )
    return {ref: Existing(*values) for ref, *values in db.session.execute(stmt)}


def debtor_values(row: Row, encrypt: Encryptor) -> dict:
    """The debtor columns a row carries."""
    d = row.data
    values = {f: d.get(f) for f in DEBTOR_FIELDS}
    values["phone"] = values.pop("debtor_phone")
    values.update(full_name=d["debtor_name"], email=d.get("debtor_email"))
    values["ssn_last4_encrypted"] = encrypt(d.get("debtor_ssn_last4"))
    return values


def _debtors_for_new(agency_id: int, rows: list[Row], encrypt: Encryptor) -> list[int]:
    """One debtor per new account, or the shared one for rows carrying a ``debtor_ref``."""
    shared = _shared_debtors(agency_id, {r.data["debtor_ref"]: r for r in rows if r.data.get("debtor_ref")}, encrypt)
    lonely = [r for r in rows if not r.data.get("debtor_ref")]
    new_ids = iter(_insert_debtors(agency_id, lonely, encrypt))
    return [shared[r.data["debtor_ref"]] if r.data.get("debtor_ref") else next(new_ids) for r in rows]


def _shared_debtors(agency_id: int, by_ref: dict[str, Row], encrypt: Encryptor) -> dict[str, int]:
    if not by_ref:
        return {}
    stmt = select(Debtor.debtor_ref, Debtor.id).where(Debtor.agency_id == agency_id, Debtor.debtor_ref.in_(by_ref))
    found = dict(db.session.execute(stmt).tuples().all())
    _update_debtors([(found[ref], row) for ref, row in by_ref.items() if ref in found], encrypt)
    missing = [row for ref, row in by_ref.items() if ref not in found]
    ids = _insert_debtors(agency_id, missing, encrypt)
    found.update({row.data["debtor_ref"]: id_ for row, id_ in zip(missing, ids, strict=True)})
    return found


def _insert_debtors(agency_id: int, rows: list[Row], encrypt: Encryptor) -> list[int]:
    if not rows:
        return []
    now = utcnow()
    params = [
        {
            **debtor_values(r, encrypt),
            "agency_id": agency_id,
            "debtor_ref": r.data.get("debtor_ref"),
            "created_at": now,
            "updated_at": now,
        }
        for r in rows
    ]
    stmt = insert(Debtor).returning(Debtor.id, sort_by_parameter_order=True)
    return list(db.session.scalars(stmt, params))


def _update_debtors(targets: list[tuple[int, Row]], encrypt: Encryptor) -> None:
    """Write a row's debtor fields; an empty optional cell keeps the stored value (a file never erases)."""
    if not targets:
        return
    params = [{"b_id": debtor_id, **_prefixed(debtor_values(row, encrypt))} for debtor_id, row in targets]
    table = Debtor.__table__
    values = {col[2:]: func.coalesce(bindparam(col), table.c[col[2:]]) for col in params[0] if col != "b_id"}
    values["full_name"] = bindparam("v_full_name")
    values["updated_at"] = utcnow()
    stmt = update(table).where(table.c.id == bindparam("b_id")).values(values)
    db.session.execute(stmt, params)


def _prefixed(values: dict) -> dict:
    return {f"v_{k}": v for k, v in values.items()}


def _create_accounts(agency_id, job_id, file_name, rows, debtor_ids, creditors) -> None:
    if not rows:
        return
    now = utcnow()
    params = [_new_account(agency_id, r, d, creditors, now) for r, d in zip(rows, debtor_ids, strict=True)]
    ids = list(db.session.scalars(insert(Account).returning(Account.id, sort_by_parameter_order=True), params))
    text = f"Imported from {file_name}"
    entries = [
        _activity(agency_id, id_, ActivityKind.IMPORT, text, job_id, r.line_no, now)
        for id_, r in zip(ids, rows, strict=True)
    ]
    db.session.execute(insert(Activity), entries)


def _new_account(agency_id: int, row: Row, debtor_id: int, creditors: dict, now) -> dict:
    d = row.data
    return {
        "agency_id": agency_id,
        "debtor_id": debtor_id,
        "creditor_id": creditors.get(d.get("creditor_name")),
        "external_ref": row.ref,
        "account_type": d.get("account_type"),
        "original_amount": d["original_amount"],
        "current_balance": d["original_amount"],
        "status": Status.NEW,
        "priority": 1,
        "due_date": d.get("due_date"),
        "search_text": build_search_text(row.ref, d["debtor_name"], d.get("debtor_email")),
        "import_fingerprint": row.fingerprint,
        "created_at": now,
        "updated_at": now,
    }


def _activity(agency_id, account_id, kind, body, job_id, line_no, now, **extra) -> dict:
    details = {"import_job_id": job_id, "line": line_no, **extra}
    return {
        "agency_id": agency_id,
        "account_id": account_id,
        "actor_id": None,
        "kind": kind,
        "body": body,
        "details": details,
        "created_at": now,
    }


def _update_accounts(agency_id, job_id, file_name, rows, existing, creditors) -> None:
    if not rows:
        return
    now = utcnow()
    table = Account.__table__
    params = [_account_update(r, existing[r.ref], creditors) for r in rows]
    new_balance = table.c.current_balance + bindparam("v_delta")
    values = {
        "original_amount": bindparam("v_amount"),
        "current_balance": case((new_balance < 0, 0), else_=new_balance),
        "due_date": func.coalesce(bindparam("v_due"), table.c.due_date),
        "creditor_id": func.coalesce(bindparam("v_creditor"), table.c.creditor_id),
        "account_type": func.coalesce(bindparam("v_type"), table.c.account_type),
        "search_text": bindparam("v_search"),
        "import_fingerprint": bindparam("v_fingerprint"),
        "updated_at": now,
    }
    db.session.execute(update(table).where(table.c.id == bindparam("b_id")).values(values), params)
    _record_adjustments(agency_id, job_id, file_name, rows, existing, now)


def _account_update(row: Row, old: Existing, creditors: dict) -> dict:
    d = row.data
    return {
        "b_id": old.id,
        "v_amount": d["original_amount"],
        "v_delta": d["original_amount"] - old.original_amount,
        "v_due": d.get("due_date"),
        "v_creditor": creditors.get(d.get("creditor_name")),
        "v_type": d.get("account_type"),
        "v_search": build_search_text(row.ref, d["debtor_name"], d.get("debtor_email") or old.email),
        "v_fingerprint": row.fingerprint,
    }


def _record_adjustments(agency_id, job_id, file_name, rows, existing, now) -> None:
    entries = []
    for r in rows:
        old = existing[r.ref].original_amount
        new = r.data["original_amount"]
        if new != old:
            body = f"Original amount changed from {old} to {new} by {file_name}; balance moved by {new - old}."
            entries.append(
                _activity(
                    agency_id,
                    existing[r.ref].id,
                    ActivityKind.ADJUSTMENT,
                    body,
                    job_id,
                    r.line_no,
                    now,
                    old=str(old),
                    new=str(new),
                    delta=str(new - old),
                )
            )
    if entries:
        db.session.execute(insert(Activity), entries)
