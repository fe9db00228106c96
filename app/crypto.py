"""Field encryption for personal data at rest (Fernet, with key rotation).

``ENCRYPTION_KEYS`` is a list: the first key encrypts, every key decrypts. To rotate, put a new key first,
keep the old ones after it, run ``flask crypto rotate``, then drop the old keys.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class DecryptionFailed(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in current_app.config["ENCRYPTION_KEYS"]])


def encrypt(value: str | None) -> str | None:
    """Encrypt a text value with the primary key; ``None`` stays ``None``."""
    if value is None:
        return None
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str | None) -> str | None:
    """Decrypt a stored value with whichever configured key made it."""
    if token is None:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionFailed("no configured encryption key can read this value") from exc


def rotate(token: str | None) -> str | None:
    """Re-encrypt a stored value under the primary key."""
    return None if token is None else _fernet().rotate(token.encode()).decode()
