"""The payments list as CSV rows: every payment the list's filters select, in its order, read in batches (a
server-side cursor on PostgreSQL), amounts in the agency's currency and times in its timezone."""

from collections.abc import Iterator

from app.accounts.models import Account
from app.auth.models import User
from app.csvexport import stamp
from app.extensions import db
from app.moneyfmt import money
from app.payments.models import Payment
from app.payments.queries import PaymentFilters, filtered_payments, sorted_payments

BATCH = 2000  # rows fetched per round trip
HEADER = [
    "Created",
    "Completed",
    "Account",
    "Method",
    "Status",
    "Amount",
    "Refunded",
    "Net",
    "Collector",
    "Commission",
    "Reference",
]
# Plain columns, not entities: building ORM objects for every row would cost more than the query.
COLUMNS = (
    Payment.created_at,
    Payment.completed_at,
    Account.external_ref,
    Payment.method,
    Payment.status,
    Payment.amount,
    Payment.refunded_amount,
    User.full_name,
    Payment.commission_amount - Payment.commission_reversed,
    Payment.reference,
)


def export_payments(viewer: User, filters: PaymentFilters) -> Iterator[list]:
    """The CSV rows (without the header) of the viewer's payments that pass ``filters``, in the list's order."""
    stmt = (
        filtered_payments(viewer, filters)
        .with_only_columns(*COLUMNS)
        .select_from(Payment)
        .join(Account, Account.id == Payment.account_id)
        .outerjoin(User, User.id == Payment.collector_id)
    )
    agency = viewer.agency
    with db.session.execute(sorted_payments(stmt, filters).execution_options(yield_per=BATCH)) as result:
        for row in result:
            yield _cells(row, agency.timezone, agency.currency)


def _cells(row, tz: str, currency: str) -> list:
    created, completed, ref, method, status, amount, refunded, collector, commission, reference = row
    return [
        stamp(created, tz),
        stamp(completed, tz),
        ref,
        method.label,
        status.label,
        money(amount, currency),
        money(refunded, currency),
        money(amount - refunded, currency),
        collector or "",
        money(commission, currency),
        reference,
    ]
