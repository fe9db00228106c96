"""The accounts list as CSV rows: every account the list's filters select, in its sort order, read in batches
(a server-side cursor on PostgreSQL), amounts in the agency's currency and times in its timezone."""

from collections.abc import Callable, Iterator

from flask import Flask, current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from app.accounts.models import Account, Creditor
from app.accounts.queries import WorklistFilters, apply_sort
from app.accounts.worklist import matching
from app.auth.models import User
from app.csvexport import stamp
from app.debtors.models import Debtor
from app.extensions import db
from app.moneyfmt import money

BATCH = 2000  # rows fetched per round trip
# Plain columns, not entities: building a million ORM objects would cost more than the query.
COLUMNS = (
    Account.external_ref,
    Account.account_type,
    Account.status,
    Account.priority,
    Account.original_amount,
    Account.current_balance,
    Account.due_date,
    Account.last_contact_at,
    Account.created_at,
)
HEADER = [
    "Account",
    "Debtor",
    "Creditor",
    "Account type",
    "Status",
    "Priority",
    "Original amount",
    "Balance",
    "Due date",
    "Last contact",
    "Collector",
    "Placed",
]
EXTRA_COLUMNS = "account_export_columns"  # app.extensions key: columns that packages above accounts add


def add_export_column(app: Flask, header: str, expression: Callable) -> None:
    """Add a column to the export: ``expression()`` is a SQL expression of ``Account`` giving the cell's text.

    Packages above accounts (compliance: the credit-reporting condition) add theirs this way, so accounts never
    imports them."""
    app.extensions.setdefault(EXTRA_COLUMNS, []).append((header, expression))


def header() -> list[str]:
    """The CSV's header row: the accounts' own columns, then the added ones."""
    return HEADER + [name for name, _expression in current_app.extensions.get(EXTRA_COLUMNS, ())]


def export_accounts(viewer: User, filters: WorklistFilters) -> Iterator[list]:
    """The CSV rows (without the header) of the viewer's accounts that pass ``filters``, in the list's order."""
    stmt, values = _statement(viewer, filters)
    agency = viewer.agency
    with db.session.execute(stmt.execution_options(yield_per=BATCH), values) as result:
        for row in result:
            yield _cells(row, agency.timezone, agency.currency)


def _statement(viewer: User, filters: WorklistFilters) -> tuple[Select, dict]:
    terms, values = matching(viewer, filters)
    collector = aliased(User)
    stmt = (
        select(*COLUMNS, Debtor.full_name, Creditor.name, collector.full_name)
        .add_columns(*(expression() for _name, expression in current_app.extensions.get(EXTRA_COLUMNS, ())))
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(Creditor, Creditor.id == Account.creditor_id)
        .outerjoin(collector, collector.id == Account.assigned_collector_id)
        .where(*terms)
    )
    return apply_sort(stmt, filters.sort, filters.direction), values


def _cells(row, tz: str, currency: str) -> list:
    account, (debtor, creditor, collector), extra = row, row[len(COLUMNS) : len(COLUMNS) + 3], row[len(COLUMNS) + 3 :]
    return [
        account.external_ref,
        debtor,
        creditor or "",
        account.account_type or "",
        account.status.label,
        f"P{account.priority}",
        money(account.original_amount, currency),
        money(account.current_balance, currency),
        account.due_date.isoformat() if account.due_date else "",
        stamp(account.last_contact_at, tz),
        collector or "Unassigned",
        stamp(account.created_at, tz),
        *(cell or "" for cell in extra),
    ]
