"""What a signed-in debtor may read: their own accounts at the portal's agency, their payments, itemizations."""

from sqlalchemy import select

from app.accounts.models import Account
from app.compliance.models import Itemization
from app.errors import NotFound
from app.extensions import db
from app.payments.models import Payment
from app.portal.models import PortalLink, PortalSession
from app.timeutil import utcnow


def list_accounts(visit: PortalSession) -> list[Account]:
    """The debtor's accounts at the agency, the largest balance first."""
    stmt = select(Account).where(Account.agency_id == visit.agency_id, Account.debtor_id == visit.debtor_id)
    return list(db.session.scalars(stmt.order_by(Account.current_balance.desc(), Account.id)))


def get_account(visit: PortalSession, account_id: int, *, for_update: bool = False) -> Account:
    """One of the debtor's accounts; NotFound for any other (another debtor's, another agency's, none).
    ``for_update`` locks its row, as the services that change the account expect."""
    stmt = select(Account).where(Account.id == account_id)
    account = db.session.scalars(stmt.with_for_update() if for_update else stmt).first()
    if account is None or account.agency_id != visit.agency_id or account.debtor_id != visit.debtor_id:
        raise NotFound()
    return account


def get_payment(visit: PortalSession, payment_id: int) -> Payment:
    """A payment the debtor started in the portal on one of their accounts; NotFound otherwise."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or not payment.via_portal:
        raise NotFound()
    get_account(visit, payment.account_id)
    return payment


def account_payments(account: Account) -> list[Payment]:
    stmt = select(Payment).where(Payment.account_id == account.id, Payment.agency_id == account.agency_id)
    return list(db.session.scalars(stmt.order_by(Payment.created_at.desc(), Payment.id.desc())))


def get_itemization(account: Account) -> Itemization | None:
    return db.session.get(Itemization, account.id)


def live_links(account: Account, limit: int) -> list[PortalLink]:
    """The account's portal links that have not expired, newest first (the account is already the viewer's)."""
    stmt = select(PortalLink).where(
        PortalLink.account_id == account.id, PortalLink.agency_id == account.agency_id, PortalLink.expires_at > utcnow()
    )
    return list(db.session.scalars(stmt.order_by(PortalLink.id.desc()).limit(limit)))
