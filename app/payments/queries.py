"""Read-only payment queries, scoped to the viewer's agency (collectors: payments on their own accounts)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Account
from app.agencyday import day_end, day_start
from app.auth.models import Role, User
from app.errors import NotFound
from app.extensions import db
from app.paging import Page, paginate
from app.payments.models import APPLIED_STATUSES, Payment, PaymentMethod, PaymentStatus


@dataclass
class PaymentFilters:
    status: PaymentStatus | None = None
    method: PaymentMethod | None = None
    date_from: date | None = None
    date_to: date | None = None
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
    """One page of the viewer's payments, newest first, narrowed by status, method and creation date (agency days)."""
    stmt = filtered_payments(viewer, filters).order_by(Payment.created_at.desc(), Payment.id.desc())
    return paginate(stmt.options(joinedload(Payment.account), joinedload(Payment.collector)), page, size)


def filtered_payments(viewer: User, filters: PaymentFilters) -> Select:
    """The viewer's payments that pass ``filters`` (unordered)."""
    stmt, tz = scoped_payments(viewer), viewer.agency.timezone
    if filters.account_id is not None:
        stmt = stmt.where(Payment.account_id == filters.account_id)
    if filters.status:
        stmt = stmt.where(Payment.status == filters.status)
    if filters.method:
        stmt = stmt.where(Payment.method == filters.method)
    if filters.date_from:
        stmt = stmt.where(Payment.created_at >= day_start(filters.date_from, tz))
    if filters.date_to:
        stmt = stmt.where(Payment.created_at < day_end(filters.date_to, tz))
    return stmt


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
