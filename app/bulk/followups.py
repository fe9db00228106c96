"""A follow-up on every selected account (the follow-up's rules: :mod:`app.accounts.followups`)."""

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from app.accounts.followups import check_follow_up, place_follow_up
from app.accounts.models import Account
from app.auth.models import User
from app.bulk.registry import Batch, BulkAction, count_text
from app.extensions import db


def prepare(actor: User, params: dict) -> dict:
    """The due time (an aware ISO instant, as the form builds it on the agency's clock) and the checked reason."""
    try:
        due_at = datetime.fromisoformat(params.get("due_at") or "")
    except (TypeError, ValueError):
        due_at = None
    reason = check_follow_up(due_at, params.get("reason") or "")
    return {"due_at": due_at.isoformat(), "reason": reason}


def apply(batch: Batch) -> Counter:
    """One follow-up per account of the batch; the operation's one audit event stands for them all."""
    due_at = datetime.fromisoformat(batch.params["due_at"])
    stmt = select(Account).where(Account.id.in_([r.id for r in batch.rows]), Account.agency_id == batch.actor.agency_id)
    accounts = db.session.scalars(stmt).all()
    for account in accounts:
        place_follow_up(account, due_at, batch.params["reason"], batch.actor)
    return Counter(changed=len(accounts))


def summary(params: dict, counts: dict) -> str:
    return f"Follow-up set on {count_text(counts.get('changed', 0), 'account')}: {params['reason']}."


ACTION = BulkAction("follow_up", "Set a follow-up", prepare, apply, summary)
