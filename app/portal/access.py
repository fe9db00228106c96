"""Getting into the portal without a password: a link staff sent, or the account reference plus facts the agency
holds. Either opens a portal session (its own table and cookie, never a staff session). Every attempt is audited.

Messages raised here are keys of the portal's catalogue (:mod:`app.portal.i18n`); the views translate them.
"""

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import select

from app import crypto
from app.accounts import queries as account_queries
from app.accounts.models import Account, ActivityKind
from app.accounts.services import add_timeline_entry
from app.agencies.models import Agency
from app.agencyday import local_date
from app.audit import services as audit
from app.auth.models import User
from app.debtors.models import Debtor
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.portal import lockout
from app.portal.i18n import current_language
from app.portal.models import PortalLink, PortalSession
from app.timeutil import utcnow

IDLE = timedelta(minutes=15)
LINK_TTL = timedelta(days=30)  # a letter takes days to arrive and the debtor may wait a while to answer it
TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often
REFUSED = "We could not match these details to an account. Check them and try again."
LOCKED = "Too many attempts for this account reference. Try again in 15 minutes."
LINK_EXPIRED = "This link has expired. Sign in with your account details instead."
SIGNED_IN_TEXT = {
    "link": "Debtor signed in to the portal with a link",
    "facts": "Debtor signed in to the portal with their account details",
}


@dataclass(frozen=True)
class Facts:
    """What the debtor typed to prove who they are (a date of birth or the SSN's last four, where on file)."""

    last_name: str
    postal_code: str
    date_of_birth: date | None = None
    ssn_last4: str = ""


def get_agency(slug: str) -> Agency:
    """The agency of a portal URL; NotFound for an unknown slug."""
    agency = db.session.scalars(select(Agency).where(Agency.slug == slug)).first()
    if agency is None:
        raise NotFound()
    return agency


def create_link(account_id: int, *, actor: User) -> PortalLink:
    """A sign-in link for the account's debtor, valid for ``LINK_TTL``; audited and on the timeline.

    Raises NotFound for an account the actor may not see.
    """
    account = account_queries.get_account(actor, account_id)
    link = PortalLink(agency_id=account.agency_id, account_id=account.id, expires_at=utcnow() + LINK_TTL)
    link.created_by_id = actor.id
    db.session.add(link)
    db.session.flush()
    link.token_digest = crypto.token_digest(link_token(link))
    audit.record(actor, account.agency_id, "portal.link_created", "account", account.id, {"link_id": {"new": link.id}})
    until = local_date(link.expires_at, actor.agency.timezone).isoformat()
    add_timeline_entry(account, ActivityKind.PORTAL, f"Portal link created (valid until {until})", actor)
    db.session.commit()
    return link


def link_token(link: PortalLink) -> str:
    """The link's token, computed again from its id (only the digest is stored)."""
    return crypto.derived_token("portal-link", str(link.id))


def link_url(link: PortalLink) -> str:
    agency = db.session.get(Agency, link.agency_id)
    return url_for("portal.from_link", slug=agency.slug, token=link_token(link), _external=True)


def sign_in_with_link(agency: Agency, token: str) -> str:
    """A portal session for the debtor of the link's account; returns its token.

    Raises NotFound for a token that is unknown or of another agency, ValidationFailed (``LINK_EXPIRED``) for an
    expired one.
    """
    stmt = select(PortalLink).where(PortalLink.token_digest == crypto.token_digest(token))
    link = db.session.scalars(stmt).first()
    if link is None or link.agency_id != agency.id:
        audit.record(None, agency.id, "portal.sign_in_failed", "portal_link", None, {"reason": {"new": "unknown"}})
        db.session.commit()
        raise NotFound()
    account = db.session.get(Account, link.account_id)
    if utcnow() >= link.expires_at:
        audit.record(None, agency.id, "portal.sign_in_failed", "account", account.id, {"reason": {"new": "expired"}})
        db.session.commit()
        raise ValidationFailed(LINK_EXPIRED)
    return _start(account, "link")


def sign_in_with_facts(agency: Agency, reference: str, facts: Facts) -> str:
    """A portal session for the debtor of the account ``reference``, when ``facts`` match what is on file;
    returns its token. Raises ValidationFailed (``REFUSED`` or ``LOCKED``), counting the failure (commits)."""
    ref = reference.strip()[:100]
    if lockout.locked_until(agency.id, ref):
        _refuse(agency, ref, None, "locked")
        raise ValidationFailed(LOCKED)
    stmt = select(Account).where(Account.agency_id == agency.id, Account.external_ref == ref)
    account = db.session.scalars(stmt).first()
    if account is None or not facts_match(account.debtor, facts):
        locked = _refuse(agency, ref, account, "no_account" if account is None else "facts")
        raise ValidationFailed(LOCKED if locked else REFUSED)
    lockout.clear(agency.id, ref)
    return _start(account, "facts")


def _refuse(agency: Agency, reference: str, account: Account | None, reason: str) -> bool:
    """Audit a failed attempt and count it (unless the reference is already locked); commits. Locked now?"""
    failures, locked = (0, True) if reason == "locked" else lockout.count_failure(agency.id, reference)
    changes = {"reference": {"new": reference}, "reason": {"new": reason}, "failures": {"new": failures}}
    entity_id = account.id if account else None
    audit.record(None, agency.id, "portal.sign_in_failed", "account", entity_id, changes)
    if locked and reason != "locked":
        audit.record(None, agency.id, "portal.locked", "account", entity_id, {"reference": {"new": reference}})
    db.session.commit()
    return locked


def facts_match(debtor: Debtor, facts: Facts) -> bool:
    """Last name and ZIP code always; then, where the agency holds either, the date of birth or the SSN's last
    four (one of those on file is enough, as the debtor may not have the other to hand)."""
    same_zip = _zip(debtor.postal_code) == _zip(facts.postal_code)
    if not (same_zip and _surname_matches(debtor.full_name, facts.last_name)):
        return False
    ssn = _ssn_on_file(debtor)
    if debtor.date_of_birth is None and not ssn:
        return True
    birth_ok = debtor.date_of_birth is not None and facts.date_of_birth == debtor.date_of_birth
    return birth_ok or bool(ssn and secrets.compare_digest(ssn, facts.ssn_last4.strip()))


def _ssn_on_file(debtor: Debtor) -> str:
    """The SSN's last four, or "unreadable" (which nothing typed matches) when it cannot be decrypted."""
    try:
        return debtor.ssn_last4 or ""
    except crypto.DecryptionFailed:
        return crypto.UNREADABLE


def _words(name: str | None) -> list[str]:
    """A name as comparable words: accents, case and punctuation dropped ("Núñez-Ortiz" -> ["nunez", "ortiz"])."""
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().casefold()
    return "".join(c if c.isalnum() else " " for c in plain).split()


def _surname_matches(full_name: str, typed: str) -> bool:
    """The typed last name is the full name's last word or words (a double surname: either "Lopez" or
    "Garcia Lopez"). The import holds one full-name field, so the surname is its end."""
    typed_words, name_words = _words(typed), _words(full_name)
    return bool(typed_words) and len(typed_words) <= len(name_words) and name_words[-len(typed_words) :] == typed_words


def _zip(value: str | None) -> str:
    """The five-digit ZIP of a ZIP or ZIP+4; empty when there is none (and empty never matches)."""
    digits = "".join(c for c in (value or "") if c.isdigit())[:5]
    return digits if len(digits) == 5 else "none"


def _start(account: Account, method: str) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = PortalSession(token_digest=crypto.token_digest(token), agency_id=account.agency_id)
    session.debtor_id, session.method, session.created_at, session.last_seen_at = account.debtor_id, method, now, now
    db.session.add(session)
    # The language the debtor signs in with is the one their reminder emails are written in
    account.debtor.language = current_language()
    audit.record(None, account.agency_id, "portal.signed_in", "debtor", account.debtor_id, {"method": {"new": method}})
    add_timeline_entry(account, ActivityKind.PORTAL, SIGNED_IN_TEXT[method], None)
    db.session.commit()
    return token


def load_session(token: str | None, agency: Agency) -> PortalSession | None:
    """The live portal session of ``token`` at ``agency``: not ended, not idle longer than ``IDLE``."""
    if not token:
        return None
    session = db.session.get(PortalSession, crypto.token_digest(token))
    now = utcnow()
    if session is None or session.agency_id != agency.id or session.ended_at or now - session.last_seen_at > IDLE:
        return None
    if now - session.last_seen_at > TOUCH_EVERY:
        session.last_seen_at = now
        db.session.commit()
    return session


def end_session(session: PortalSession) -> None:
    """Sign the debtor out: the session's token no longer opens anything."""
    session.ended_at = utcnow()
    audit.record(None, session.agency_id, "portal.signed_out", "debtor", session.debtor_id, {})
    db.session.commit()
