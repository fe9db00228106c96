"""TOTP multi-factor authentication: enrolment, the sign-in's second step, recovery codes, admin reset.

A code is accepted for the current 30-second step and the one before (clocks drift, people type slowly), and
only once: the step of each accepted code is kept, and a code of that step or an older one is refused.
"""

import hmac
import secrets

import pyotp
from sqlalchemy import delete, or_, select, update

from app import crypto
from app.auth import lockout
from app.auth.events import announce
from app.auth.models import RecoveryCode, User
from app.auth.services import agency_user, revoke_all_sessions
from app.crypto import DecryptionFailed
from app.errors import ValidationFailed
from app.extensions import db
from app.timeutil import utcnow

ISSUER = "DebtFlow"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 4, 4  # 16 random characters: ~79 bits, beyond guessing from a hash
CODE_REFUSED = "That code is not valid. Use the current code from your app, or an unused recovery code."
TOO_MANY = "Too many wrong codes. Wait 15 minutes, then sign in again."
WRONG_PASSWORD = {"password": "Incorrect password."}


def start_enrolment(user: User) -> str:
    """The secret being enrolled: a new one, kept (encrypted) until confirmed; the same one until then.

    Raises ValidationFailed when MFA is already on (turn it off first to change device).
    """
    if user.mfa_enabled:
        raise ValidationFailed("Two-factor authentication is already on.")
    if user.mfa_secret_encrypted is None:
        user.mfa_secret = pyotp.random_base32()
        db.session.commit()
    return user.mfa_secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def enable_mfa(user: User, password: str, code: str, *, actor: User) -> list[str]:
    """Turn MFA on once the password and a code from the enrolled secret check; return new recovery codes.

    The codes are returned once, for the page to show, and stored only as hashes. Raises ValidationFailed
    (with the field) for a wrong password, no enrolment in progress, or a wrong code.
    """
    _require_password(user, password)
    if user.mfa_enabled or user.mfa_secret_encrypted is None:
        raise ValidationFailed("Start the set-up again.", {"code": "No set-up in progress."})
    if not _accept_totp(user, code):
        raise ValidationFailed(CODE_REFUSED, {"code": "Wrong code."})
    user.mfa_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    announce("auth.mfa_enabled", user, actor=actor)
    db.session.commit()
    return codes


def disable_mfa(user: User, password: str, *, actor: User) -> None:
    """Turn MFA off after the password checks; the secret and the recovery codes are deleted."""
    _require_password(user, password)
    if not user.mfa_enabled:
        raise ValidationFailed("Two-factor authentication is already off.")
    _clear(user)
    announce("auth.mfa_disabled", user, actor=actor)
    db.session.commit()


def regenerate_recovery_codes(user: User, password: str, *, actor: User) -> list[str]:
    """Replace every recovery code (spent or not) by ten new ones, returned once; audited."""
    _require_password(user, password)
    if not user.mfa_enabled:
        raise ValidationFailed("Turn two-factor authentication on first.")
    codes = _replace_recovery_codes(user)
    announce("auth.mfa_recovery_codes_renewed", user, actor=actor)
    db.session.commit()
    return codes


def reset_mfa(user_id: int, *, actor: User) -> User:
    """An admin turns off another user's MFA (lost phone); their sessions end, so they enrol at next sign-in.

    Raises PermissionDenied for non-admins, NotFound for a user of another agency.
    """
    user = agency_user(actor, user_id)
    _clear(user)
    revoke_all_sessions(user)
    announce("auth.mfa_reset", user, actor=actor)
    db.session.commit()
    return user


def verify_second_factor(user: User, code: str) -> None:
    """Accept a TOTP code or an unused recovery code (which is then spent) as the sign-in's second step.

    Raises ValidationFailed for a wrong, replayed or spent code, and for every code while the account is locked:
    a wrong code counts (and is audited) as a failed sign-in in ``lockout``, as a wrong password does.
    """
    if not user.mfa_enabled:
        raise ValidationFailed("Two-factor authentication is not on for this account.")
    if lockout.is_locked(user):
        raise ValidationFailed(TOO_MANY)
    if not _accept_totp(user, code) and not _spend_recovery(user, code):
        lockout.record_failure(user, "mfa_code")  # the same count, and lock, as wrong passwords (commits)
        raise ValidationFailed(CODE_REFUSED)
    db.session.commit()


def _spend_recovery(user: User, code: str) -> bool:
    spent = _spend_recovery_code(user, code)
    if spent:
        announce("auth.mfa_recovery_code_used", user, actor=user)
    return spent


def remaining_recovery_codes(user: User) -> int:
    """How many unused recovery codes ``user`` has left."""
    stmt = select(db.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return db.session.scalar(stmt)


def _require_password(user: User, password: str) -> None:
    if not user.check_password(password or ""):
        raise ValidationFailed("Your password is incorrect.", WRONG_PASSWORD)


def _accept_totp(user: User, code: str) -> bool:
    """True when ``code`` is the TOTP of the current or the previous step, not already used (claims its step)."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    try:
        totp = pyotp.TOTP(user.mfa_secret)
    except DecryptionFailed:  # a lost key or a damaged value: the recovery codes still work
        return False
    now = totp.timecode(utcnow())
    step = next((s for s in (now, now - 1) if hmac.compare_digest(totp.generate_otp(s), code)), None)
    return step is not None and _claim_step(user, step)


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as the last one used, unless it (or a later one) already is: one statement, so two
    requests racing with the same code cannot both pass."""
    stmt = (
        update(User)
        .where(User.id == user.id, or_(User.mfa_last_step.is_(None), User.mfa_last_step < step))
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    claimed = db.session.execute(stmt).rowcount == 1
    db.session.refresh(user, ["mfa_last_step"])
    return claimed


def _spend_recovery_code(user: User, code: str) -> bool:
    """Mark the matching unused recovery code as used; False when none matches."""
    stmt = (
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount == 1


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(agency_id=user.agency_id, user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    return codes


def _new_recovery_code() -> str:
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH)) for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def _hash_code(code: str) -> str:
    """The stored digest of the code as typed without separators or case (its own randomness is its defence)."""
    return crypto.token_digest("".join(ch for ch in (code or "").lower() if ch.isalnum()))


def _clear(user: User) -> None:
    user.mfa_secret_encrypted, user.mfa_enabled_at, user.mfa_last_step = None, None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
