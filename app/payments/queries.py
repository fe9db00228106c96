"""Read-only payment queries, scoped to the viewer's agency (collectors: payments on their own accounts)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Account
from app.accounts.worklist_filters import order_terms
from app.agencyday import day_end, day_start
from app.auth.models import Role, User
from app.errors import NotFound
from app.extensions import db
from app.paging import Page, Total, count_total, paginate
from app.payments.models import APPLIED_STATUSES, Payment, PaymentMethod, PaymentStatus

APPLIED = "applied"  # the status filter's value for every applied status: money received (refunds aside)
SORTS = {"date": Payment.created_at, "completed": Payment.completed_at, "amount": Payment.amount}


@dataclass
class PaymentFilters:
    status: PaymentStatus | None = None
    applied: bool = False  # only applied payments (completed, partly or fully refunded): the status filter's
    method: PaymentMethod | None = None
    date_from: date | None = None
    date_to: date | None = None
    by_completion: bool = False  # the dates are of completion (as the dashboard counts), not of creation
    sort: str = "date"
    direction: str = "desc"
    account_id: int | None = None


def scoped_payments(viewer: User) -> Select:
    """Payments the viewer may see: the agency's for admins, those on their own accounts for collectors."""
    stmt = select(Payment).where(Payment.agency_id == viewer.agency_id)
    if viewer.role != Role.ADMIN:
        owned = select(Account.id).where(
            Account.agency_id == viewer.agency_id, Account.assigned_collector_id == viewer.id
        )
        stmt = stmt.where(Payment.account_id.in_(owned))
    return stmt


def list_payments(viewer: User, filters: PaymentFilters, page: int = 1, size: int = 25) -> Page:
    """One page of the viewer's payments that pass ``filters`` (dates are agency days), in the chosen order."""
    stmt = sorted_payments(filtered_payments(viewer, filters), filters)
    return paginate(stmt.options(joinedload(Payment.account), joinedload(Payment.collector)), page, size)


def count_payments(viewer: User, filters: PaymentFilters) -> Total:
    """How many payments the list holds with ``filters`` (exact where cheap: ``paging.count_total``)."""
    return count_total(filtered_payments(viewer, filters).with_only_columns(Payment.id))


def filtered_payments(viewer: User, filters: PaymentFilters) -> Select:
    """The viewer's payments narrowed by account, status, method and dates (agency days of creation or
    completion), unordered."""
    stmt, tz = scoped_payments(viewer), viewer.agency.timezone
    stamp = Payment.completed_at if filters.by_completion else Payment.created_at
    terms = [
        Payment.account_id == filters.account_id if filters.account_id is not None else None,
        Payment.status == filters.status if filters.status else None,
        Payment.status.in_(APPLIED_STATUSES) if filters.applied and not filters.status else None,
        Payment.method == filters.method if filters.method else None,
        stamp >= day_start(filters.date_from, tz) if filters.date_from else None,
        stamp < day_end(filters.date_to, tz) if filters.date_to else None,
    ]
    return stmt.where(*[term for term in terms if term is not None])


def sorted_payments(stmt: Select, filters: PaymentFilters) -> Select:
    """``stmt`` (selecting from payments) in the list's order: the chosen column, then the id."""
    column = SORTS.get(filters.sort, Payment.created_at)
    return stmt.order_by(*order_terms((column, Payment.id), filters.direction))


def account_payments(account: Account, limit: int = 20) -> list[Payment]:
    """The account's latest payments (the caller has already checked it may see the account)."""
    stmt = (
        select(Payment)
        .where(Payment.account_id == account.id, Payment.agency_id == account.agency_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def get_payment(viewer: User, payment_id: int) -> Payment:
    payment = db.session.scalars(scoped_payments(viewer).where(Payment.id == payment_id)).first()
    if payment is None:
        raise NotFound("Payment not found.")
    return payment


@dataclass
class CommissionTotal:
    collector: User
    payments: int
    collected: Decimal
    commission: Decimal


def commission_totals(viewer: User) -> list[CommissionTotal]:
    """Net commission per collector (all of the agency's for admins, only their own for collectors)."""
    net = func.sum(Payment.commission_amount - Payment.commission_reversed)
    stmt = (
        select(User, func.count(Payment.id), func.sum(Payment.amount - Payment.refunded_amount), net)
        .join(Payment, Payment.collector_id == User.id)
        .where(Payment.agency_id == viewer.agency_id, Payment.status.in_(APPLIED_STATUSES))
        .group_by(User.id)
        .order_by(User.full_name)
    )
    if viewer.role != Role.ADMIN:
        stmt = stmt.where(User.id == viewer.id)
    return [CommissionTotal(u, n, Decimal(c or 0), Decimal(m or 0)) for u, n, c, m in db.session.execute(stmt)]


def payment_labels(agency_id: int, ids: set[str]) -> dict[str, str]:
    """``{payment id: "payment #id on <account reference>"}`` for the audit log."""
    numbers = [int(i) for i in ids if i.isdigit()]
    stmt = (
        select(Payment.id, Account.external_ref)
        .join(Account, Account.id == Payment.account_id)
        .where(Payment.agency_id == agency_id, Payment.id.in_(numbers))
    )
    return {str(i): f"payment #{i} on {ref}" for i, ref in db.session.execute(stmt)}


def payment_entities(agency_id: int, ref: str) -> list[tuple[str, str]]:
    """The audit entities of the payments on the agency's account with reference ``ref``."""
    stmt = (
        select(Payment.id)
        .join(Account, Account.id == Payment.account_id)
        .where(Payment.agency_id == agency_id, Account.agency_id == agency_id, Account.external_ref == ref)
    )
    return [("payment", str(i)) for i in db.session.scalars(stmt)]
