"""A placement file's itemization columns: each valid row that carries an itemization creates or replaces its
account's (the validation notice prints it). A row with the columns empty keeps what is stored, as every
optional cell does; so does an empty ``original_creditor``.

Only a file whose header names the columns gets here: its rows' data have the itemization keys, so the writer
asks the first row of a batch, and a file without them costs nothing.
"""

from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Account
from app.extensions import db
from app.imports.parsing import Row

TABLE = "itemizations"  # app.compliance.models.Itemization, which sits above the imports
ZERO = Decimal("0.00")
COLUMNS = {  # the table's column: the row's column
    "reference": "itemization_reference",
    "itemization_date": "itemization_date",
    "amount_on_date": "itemization_amount",
    "interest": "itemization_interest",
    "fees": "itemization_fees",
    "payments_credits": "itemization_payments_credits",
    "creditor_on_date": "itemization_creditor",
    "original_creditor": "original_creditor",
}
AMOUNTS = ("interest", "fees", "payments_credits")  # an empty cell in a given itemization is zero


def carries_itemizations(rows: list[Row]) -> bool:
    """Whether the batch's file has the itemization columns (every row of one file has the same keys)."""
    return bool(rows) and "itemization_date" in rows[0].data


def upsert_itemizations(dialect, agency_id: int, rows: list[Row]) -> None:
    """Write the itemization of each of ``rows`` that gives one (in the caller's transaction, after the
    batch's accounts exist)."""
    given = [r for r in rows if r.data["itemization_date"] is not None]
    if not given:
        return
    ids = _account_ids(dialect, agency_id, [r.ref for r in given])
    values = [_values(agency_id, ids[r.ref], r.data) for r in given]
    dialect.upsert(db.metadata.tables[TABLE], values, "account_id", keep=("original_creditor",))


def _account_ids(dialect, agency_id: int, refs: list[str]) -> dict[str, int]:
    stmt = select(Account.external_ref, Account.id).where(
        Account.agency_id == agency_id, dialect.among(Account.external_ref, refs)
    )
    return dict(db.session.execute(stmt).all())


def _values(agency_id: int, account_id: int, data: dict) -> dict:
    values = {"account_id": account_id, "agency_id": agency_id}
    values |= {column: data[name] for column, name in COLUMNS.items()}
    values |= {column: values[column] or ZERO for column in AMOUNTS}
    return values
