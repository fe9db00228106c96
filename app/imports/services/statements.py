"""The set-based statements that apply a staged batch (the rules: :mod:`app.imports.services.apply`).

Written once for both databases. Each group is a function of the dialect's fragments (``json_object``,
``amount_text``), so the few spellings that differ stay out of the rules; :func:`compiled` builds each
group once per dialect.

Every statement reads the staging table alone or joins it to a big table by key: ids of new accounts and
debtors are allocated before staging, and the batch's last line for each ``debtor_ref`` is marked while
staging, so no statement joins the staging table to itself. A known row carries what the batch's look-up
found (its stored original amount; whether its debtor's fields change), so a refresh joins the big tables
only for the rows it writes.
"""

from functools import cache

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, Numeric, Table, Text, bindparam, text

from app.timeutil import UTCDateTime

DEBTOR_FIELDS = ("email", "phone", "address_line1", "address_line2", "city", "state", "postal_code")
TYPES = {"line_no": Integer, "is_new": Boolean, "writes_debtor": Boolean, "account_id": Integer,
         "debtor_id": Integer, "original_amount": Numeric(12, 2), "stored_amount": Numeric(12, 2),
         "due_date": Date}  # fmt: skip
COLUMNS = (
    "line_no", "is_new", "writes_debtor", "account_id", "debtor_id", "external_ref", "debtor_ref", "full_name",
    *DEBTOR_FIELDS, "ssn_enc", "original_amount", "due_date", "creditor_name", "account_type", "search_text",
    "fingerprint", "stored_amount",
)  # fmt: skip
# writes_debtor: a new row's line writes the debtor (its own, or the shared debtor's last line); a known row's
# debtor fields change. stored_amount: a known row's original amount before this batch.
# Temporary: each connection (writer thread) has its own; PostgreSQL empties it at every commit.
STAGING = Table(
    "import_staging",
    MetaData(),
    *(Column(name, TYPES.get(name, Text)) for name in COLUMNS),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DELETE ROWS",
)
DEBTOR_COLS = f"full_name, {', '.join(DEBTOR_FIELDS)}, ssn_last4_encrypted"
DEBTOR_VALS = f"s.full_name, {', '.join('s.' + c for c in DEBTOR_FIELDS)}, s.ssn_enc"
KEPT = {**{c: f"s.{c}" for c in DEBTOR_FIELDS}, "ssn_last4_encrypted": "s.ssn_enc"}  # an empty cell keeps these
NEW_BALANCE = "a.current_balance + s.original_amount - a.original_amount"


def creditors(_dialect) -> tuple[str, ...]:
    """The batch's creditors that the agency doesn't have yet."""
    return (
        """INSERT INTO creditors (agency_id, name) SELECT DISTINCT :ag, creditor_name FROM import_staging
        WHERE creditor_name IS NOT NULL ORDER BY 2 ON CONFLICT DO NOTHING""",
    )


def shared_debtors(_dialect) -> tuple[str, ...]:
    """A new row naming a ``debtor_ref`` creates that debtor or updates it (the batch's last line wins)."""
    keep = ", ".join(f"{c} = COALESCE(excluded.{c}, debtors.{c})" for c in KEPT)
    return (
        f"""INSERT INTO debtors (id, agency_id, debtor_ref, {DEBTOR_COLS}, created_at, updated_at)
        SELECT s.debtor_id, :ag, s.debtor_ref, {DEBTOR_VALS}, :now, :now FROM import_staging s
        WHERE s.is_new AND s.writes_debtor ORDER BY s.debtor_ref
        ON CONFLICT (agency_id, debtor_ref) WHERE debtor_ref IS NOT NULL
        DO UPDATE SET full_name = excluded.full_name, {keep}, updated_at = :now""",  # noqa: S608
        """UPDATE import_staging AS s SET debtor_id = d.id FROM debtors d
        WHERE s.is_new AND s.debtor_ref IS NOT NULL AND d.agency_id = :ag AND d.debtor_ref = s.debtor_ref""",
    )


def new_rows(dialect) -> tuple[str, ...]:
    """A new ref: its own debtor (unless shared), an account in status ``new``, an ``import`` entry."""
    details = dialect.json_object("'import_job_id', :job, 'line', s.line_no")
    return (
        f"""INSERT INTO debtors (id, agency_id, {DEBTOR_COLS}, created_at, updated_at)
        SELECT s.debtor_id, :ag, {DEBTOR_VALS}, :now, :now FROM import_staging s
        WHERE s.is_new AND s.debtor_ref IS NULL""",  # noqa: S608
        """INSERT INTO accounts (id, agency_id, debtor_id, creditor_id, external_ref, account_type, original_amount,
          current_balance, status, priority, due_date, search_text, import_fingerprint, created_at, updated_at)
        SELECT s.account_id, :ag, s.debtor_id, c.id, s.external_ref, s.account_type, s.original_amount,
          s.original_amount, 'new', 1, s.due_date, s.search_text, s.fingerprint, :now, :now
        FROM import_staging s LEFT JOIN creditors c ON c.agency_id = :ag AND c.name = s.creditor_name
        WHERE s.is_new ORDER BY s.account_id""",
        f"""INSERT INTO activities (agency_id, account_id, kind, body, details, created_at)
        SELECT :ag, s.account_id, 'import', :body, {details}, :now
        FROM import_staging s WHERE s.is_new ORDER BY s.account_id""",  # noqa: S608
    )


def changed_rows(dialect) -> tuple[str, ...]:
    """A known ref: its debtor's fields (where they change), an ``adjustment`` entry when the original amount
    changed, then the account's descriptive fields and its balance moved by the delta."""
    old, new = dialect.amount_text("s.stored_amount"), dialect.amount_text("s.original_amount")
    delta = dialect.amount_text("s.original_amount - s.stored_amount")
    body = (
        f"'Original amount changed from ' || {old} || ' to ' || {new} || ' by ' || CAST(:file AS text)"
        f" || '; balance moved by ' || {delta} || '.'"
    )
    details = dialect.json_object(
        f"'import_job_id', :job, 'line', s.line_no, 'old', {old}, 'new', {new}, 'delta', {delta}"
    )
    debtor_set = ", ".join(f"{c} = COALESCE({value}, d.{c})" for c, value in KEPT.items())
    account = {
        "original_amount": "s.original_amount",
        "due_date": "COALESCE(s.due_date, a.due_date)",
        "creditor_id": "COALESCE(c.id, a.creditor_id)",
        "account_type": "COALESCE(s.account_type, a.account_type)",
        "search_text": "s.search_text",
        "import_fingerprint": "s.fingerprint",
    }
    account_set = ", ".join(f"{c} = {value}" for c, value in account.items())
    return (
        f"""UPDATE debtors AS d SET full_name = s.full_name, {debtor_set}, updated_at = :now
        FROM import_staging s WHERE NOT s.is_new AND s.writes_debtor AND d.id = s.debtor_id""",  # noqa: S608
        f"""INSERT INTO activities (agency_id, account_id, kind, body, details, created_at)
        SELECT :ag, s.account_id, 'adjustment', {body}, {details}, :now
        FROM import_staging s WHERE NOT s.is_new AND s.stored_amount <> s.original_amount""",  # noqa: S608
        f"""UPDATE accounts AS a SET {account_set},
          current_balance = CASE WHEN {NEW_BALANCE} < 0 THEN 0 ELSE {NEW_BALANCE} END, updated_at = :now
        FROM import_staging s LEFT JOIN creditors c ON c.agency_id = :ag AND c.name = s.creditor_name
        WHERE NOT s.is_new AND a.id = s.account_id
          AND {_differs([(f"a.{c}", value) for c, value in account.items()])}""",  # noqa: S608
    )


def _differs(pairs: list[tuple[str, str]]) -> str:
    """Whether any stored value differs from its new one (NULL-safe)."""
    return "(" + " OR ".join(f"{stored} IS DISTINCT FROM {value}" for stored, value in pairs) + ")"


@cache
def compiled(dialect, group) -> tuple:
    """The statements of ``group`` as this dialect spells them, with the timestamp parameter typed."""
    return tuple(_text(sql) for sql in group(dialect))


def _text(sql: str):
    statement = text(sql)
    return statement.bindparams(bindparam("now", type_=UTCDateTime)) if ":now" in sql else statement
