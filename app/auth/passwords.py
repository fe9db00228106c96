"""Password hashing (argon2id, with the older werkzeug scrypt hashes still accepted) and the password policy."""

import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

from app.errors import ValidationFailed

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn's "safely unguessable" and above
# zxcvbn's own ceiling: its matching grows quickly with length, and the first 72 characters already tell a
# common password or pattern from a strong one.
STRENGTH_CHECKED_CHARS = 72
ARGON2_PREFIX = "$argon2"

STRONG = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory parameters


def _hasher() -> PasswordHasher:
    """``STRONG``, unless the app's config carries other parameters (``PASSWORD_HASHER``: only the test suite's
    config sets it, so that a thousand sign-ins don't each spend tens of milliseconds; no environment variable
    reaches it)."""
    return (has_app_context() and current_app.config.get("PASSWORD_HASHER")) or STRONG


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches ``stored``, an argon2id hash or a legacy werkzeug (scrypt, pbkdf2) one."""
    if not stored.startswith(ARGON2_PREFIX):
        return check_password_hash(stored, password)
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for a legacy hash, or an argon2 one made with other parameters than today's."""
    return not stored.startswith(ARGON2_PREFIX) or _hasher().check_needs_rehash(stored)


def generate_temporary() -> str:
    """A random password for an admin to hand over; its user must change it at first sign-in."""
    return secrets.token_urlsafe(12)


def check_policy(password: str, field: str, user_inputs: Iterable[str] = ()) -> None:
    """Refuse a short or guessable password (zxcvbn score below 3), with zxcvbn's advice on ``field``.

    ``user_inputs`` are words the password must not lean on (the username, the person's name, their email).
    """
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(f"Use at least {MIN_LENGTH} characters.", {field: f"At least {MIN_LENGTH} characters."})
    result = zxcvbn(password[:STRENGTH_CHECKED_CHARS], user_inputs=[w for w in user_inputs if w])
    if result["score"] < MIN_SCORE:
        raise ValidationFailed("Choose a less guessable password.", {field: _advice(result["feedback"])})


def _advice(feedback: dict) -> str:
    """zxcvbn's warning and suggestions as one message."""
    parts = [feedback.get("warning") or "This password is easy to guess.", *feedback.get("suggestions", [])]
    return " ".join(part for part in parts if part)
