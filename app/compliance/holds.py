"""Collection holds: which consumer requests put an account on hold, and what a hold refuses.

A written dispute (or original-creditor request) received within the validation period must stop collection until
the verification is sent (12 CFR 1006.38); late, oral and duplicative ones follow the agency's dispute policy. The
contact guard reads open ``hold=True`` requests itself; payment requests are refused here.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, exists, func, select

from app.accounts.models import Account
from app.compliance.models import ConsumerRequest, RequestChannel, RequestKind, ValidationNotice
from app.compliance.settings import setting
from app.errors import Conflict
from app.extensions import db

HOLDING_KINDS = frozenset({RequestKind.DISPUTE, RequestKind.ORIGINAL_CREDITOR})
WRITTEN_CHANNELS = frozenset({RequestChannel.LETTER, RequestChannel.EMAIL, RequestChannel.PORTAL})
# What the rule lets an agency treat differently, each with the policy key that decides whether it still holds
EXEMPTIONS = {"late": "hold_late_disputes", "oral": "hold_oral_disputes", "duplicative": "hold_duplicative_disputes"}


@dataclass(frozen=True)
class HoldDecision:
    within_period: bool
    exemptions: tuple[str, ...]  # "late", "oral", "duplicative": why the rule itself does not require a hold
    hold: bool


def validation_period_end(account_id: int) -> date | None:
    """The end of the account's validation period: the latest notice's ``period_ends`` (None: no notice sent)."""
    stmt = select(func.max(ValidationNotice.period_ends)).where(ValidationNotice.account_id == account_id)
    return db.session.scalar(stmt)


def decide_hold(agency, account_id: int, received_on: date, written: bool, duplicative: bool) -> HoldDecision:
    """Whether a dispute or original-creditor request received on ``received_on`` puts the account on hold.

    Before any notice is sent the period has not started, so a request then counts as within it."""
    ends = validation_period_end(account_id)
    within = ends is None or received_on <= ends
    flags = {"late": not within, "oral": not written, "duplicative": duplicative}
    exemptions = tuple(name for name, applies in flags.items() if applies)
    return HoldDecision(within, exemptions, all(setting(agency, EXEMPTIONS[name]) for name in exemptions))


def open_holds(account_id: int, *, except_id: int | None = None):
    """The condition "the account has an open request holding collection" (other than ``except_id``)."""
    r = ConsumerRequest
    condition = exists().where(r.account_id == account_id, r.resolved_at.is_(None), r.hold.is_(True))
    return condition.where(r.id != except_id) if except_id is not None else condition


def on_hold(account_id: int) -> bool:
    """Whether collection on the account is on hold."""
    return bool(db.session.scalar(select(open_holds(account_id))))


def has_open_dispute(account_id: int) -> bool:
    """Whether a dispute (or original-creditor request) is still being verified: credit reporting says XB."""
    return bool(db.session.scalar(select(open_dispute_exists(ConsumerRequest.account_id == account_id))))


def open_dispute_exists(*where):
    """EXISTS an open dispute or original-creditor request matching ``where`` (XB while it is open)."""
    r = ConsumerRequest
    return exists().where(r.kind.in_(HOLDING_KINDS), r.resolved_at.is_(None), *where)


def refuse_payment_request(account) -> None:
    """Conflict when staff ask a held account's debtor for a payment (a pay link, a card payment request).

    Payments the consumer makes on their own and manual payments recorded are not refused: the rule stops
    collection, not the consumer paying."""
    if on_hold(account.id):
        raise Conflict(
            "This account is on collection hold: a dispute is being verified. No payment can be requested "
            "until the verification is recorded as sent."
        )


def verification_due(request: ConsumerRequest, agency) -> date:
    """The day the verification (or the original creditor's name and address) is due: the SLA."""
    return request.received_on + timedelta(days=setting(agency, "verification_days"))


def sla_state(request: ConsumerRequest, agency, today: date) -> str:
    """ "overdue", "due" (today) or "open" for an open dispute; "done" once resolved."""
    if request.resolved_at is not None:
        return "done"
    due = verification_due(request, agency)
    return "overdue" if today > due else "due" if today == due else "open"


def credit_reporting_condition():
    """The accounts export's "Credit reporting" cell: XB while a dispute is being verified (a SQL expression)."""
    return case((open_dispute_exists(ConsumerRequest.account_id == Account.id), "XB"), else_="")
