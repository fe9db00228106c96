"""The opt-out link in every reminder: a signed token naming the account and the address, with no expiry (an
email read months later must still stop the next one), and the service that opts the address out."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app import tenancy
from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry
from app.compliance import points
from app.compliance.points import PointChange
from app.errors import NotFound
from app.extensions import db

SALT = "reminder-opt-out"
VIA = "email_link"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(account: Account, address: str) -> str:
    return _serializer().dumps([account.agency_id, account.id, address])


def read_token(token: str) -> tuple[Account, str]:
    """The account and the address a token names, scoped to its agency. Raises NotFound for a token not ours (bad
    signature, too long, an account gone)."""
    try:
        agency_id, account_id, address = _serializer().loads(token[:1000])
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This link is not valid.") from None
    tenancy.scope(agency_id)
    stmt = select(Account).where(Account.agency_id == agency_id, Account.id == account_id)
    account = db.session.scalars(stmt).first()
    if account is None:
        raise NotFound("This link is not valid.")
    return account, address


def is_opted_out(account: Account, address: str) -> bool:
    point = points.find_point(account.debtor, "email", address)
    return point is not None and point.opted_out_at is not None


def opt_out(token: str) -> str:
    """Opt out the address a token names, by the debtor themself (no actor): on the account's timeline and audited
    through the contact points service, which commits. Opting out twice changes nothing. Returns the address."""
    account, address = read_token(token)
    if not is_opted_out(account, address):
        add_timeline_entry(account, ActivityKind.NOTE, f"Email {address} opted out from a reminder's link", None)
        points.save_point(account.debtor, "email", address, PointChange(opted_out=True), actor=None, via=VIA)
    return address
