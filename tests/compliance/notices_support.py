"""Helpers for the validation notice tests: an itemized account at a fixed day, a conversation, a PDF's text."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader

from app.agencies.models import Agency
from app.compliance.models import Channel, ContactAttempt, Direction, Itemization, Outcome, ReferenceDate
from app.extensions import db
from app.timeutil import clock
from tests import factories as f

TODAY = date(2027, 1, 4)  # a Monday; 10:00 in New York at the frozen instant below
NOW = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)


def freeze_today() -> None:
    """Stop the app's clock at NOW (the ``clock`` fixture resets it)."""
    clock.frozen = NOW


def itemize(account, **changes) -> Itemization:
    """A charge-off itemization that adds up to the account's balance: 985.00 + 10.00 + 5.00 - 0.00."""
    values = dict(
        account_id=account.id,
        agency_id=account.agency_id,
        reference=ReferenceDate.CHARGE_OFF,
        itemization_date=date(2026, 6, 30),
        amount_on_date=account.current_balance - Decimal("15.00"),
        interest=Decimal("10.00"),
        fees=Decimal("5.00"),
        payments_credits=Decimal("0.00"),
        creditor_on_date="First Bank of Springfield",
        original_creditor="Springfield Retail Card",
    )
    itemization = Itemization(**(values | changes))
    db.session.add(itemization)
    db.session.flush()
    return itemization


def dress(account) -> None:
    """Give the agency and the debtor addresses and the account a current creditor, as the notice prints them."""
    agency = db.session.get(Agency, account.agency_id)
    agency.address_line1, agency.city, agency.region, agency.postal_code = "12 Harbor Way", "Boston", "MA", "02110"
    debtor = account.debtor
    debtor.full_name, debtor.address_line1 = "José Núñez", "400 Elm Street"
    debtor.city, debtor.state, debtor.postal_code = "Springfield", "IL", "62701"
    account.creditor = f.CreditorFactory(agency=agency, name="Collections Trust LLC")
    db.session.flush()


def converse(account, at: datetime, outcome: Outcome = Outcome.RIGHT_PARTY) -> ContactAttempt:
    """A call logged on the account with ``outcome`` at ``at``."""
    attempt = ContactAttempt(
        agency_id=account.agency_id,
        account_id=account.id,
        channel=Channel.CALL,
        direction=Direction.OUTBOUND,
        outcome=outcome,
        at=at,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def pdf_text(content: bytes) -> str:
    """The PDF's text with its line breaks and runs of spaces made single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
