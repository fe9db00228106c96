"""Secrets at rest: field encryption bound to its row (AES-256-GCM), and digests of bearer tokens.

``ENCRYPTION_KEYS`` is a list of 32-byte url-safe base64 keys (the format Fernet keys have, so an existing
``DEBTFLOW_ENCRYPTION_KEYS`` keeps working): the first key encrypts, every key decrypts. To rotate, put a new
key first, keep the old ones after it, run ``flask crypto rotate``, then drop the old keys.

A value is stored as ``v2.<key id>.<base64url(nonce | ciphertext | tag)>``. The associated data is the table,
column and row id, so a ciphertext copied onto another row (or another column) no longer decrypts: the tag
check fails exactly as for a corrupted value. The AES key is derived from the configured key with HKDF, so the
same configured bytes never serve two algorithms (the legacy Fernet reader below uses them as they are).
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import bindparam, column, event, select, table
from sqlalchemy.orm.attributes import set_committed_value

PREFIX = "v2"
NONCE_BYTES = 12
UNREADABLE = "unreadable"
BATCH = 5000
# Every encrypted column, as (table, column): what rotation and the upgrade of legacy values walk.
FIELDS: list[tuple[str, str]] = []


class DecryptionFailed(RuntimeError):
    """A stored value could not be decrypted: corrupted, moved from another row, or under no configured key."""


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    cipher: AESGCM


def _derive(raw: str, info: bytes) -> bytes:
    try:
        material = base64.urlsafe_b64decode(raw.encode())
    except (binascii.Error, ValueError) as exc:
        raise ValueError("an encryption key is not url-safe base64") from exc
    if len(material) != 32:
        raise ValueError("an encryption key must be 32 bytes (url-safe base64, as Fernet.generate_key() prints)")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


@cache
def _field_key(raw: str) -> FieldKey:
    key = _derive(raw, b"debtflow field encryption v2")
    key_id = hashlib.sha256(b"key id " + key).hexdigest()[:8]  # names the key without revealing it
    return FieldKey(key_id, AESGCM(key))


@dataclass(frozen=True)
class Keyring:
    """The configured keys: the first encrypts, each decrypts what its id names."""

    primary: FieldKey
    by_id: dict[str, FieldKey]

    def encrypt(self, value: str, aad: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.primary.cipher.encrypt(nonce, value.encode(), aad)
        return f"{PREFIX}.{self.primary.key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, aad: bytes) -> str:
        prefix, _, rest = token.partition(".")
        key_id, _, body = rest.partition(".")
        key = self.by_id.get(key_id)
        if prefix != PREFIX or key is None:
            raise DecryptionFailed("no configured encryption key made this value")
        try:
            blob = base64.urlsafe_b64decode(body.encode())
            return key.cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise DecryptionFailed("the value is corrupted or belongs to another row") from exc


def keyring() -> Keyring:
    """The keyring of the current configuration (built once per key list)."""
    return _keyring(tuple(current_app.config["ENCRYPTION_KEYS"]))


@cache
def _keyring(raws: tuple[str, ...]) -> Keyring:
    keys = [_field_key(raw) for raw in raws]
    return Keyring(keys[0], {k.key_id: k for k in reversed(keys)})


def associated_data(table: str, column: str, row_id: int) -> bytes:
    """What binds a ciphertext to its place: ``table.column.row id``."""
    return f"{table}.{column}.{row_id}".encode()


def encrypt(value: str | None, aad: bytes) -> str | None:
    """Encrypt a text value under the primary key, bound to ``aad``; ``None`` stays ``None``."""
    return None if value is None else keyring().encrypt(value, aad)


def decrypt(token: str | None, aad: bytes) -> str | None:
    """Decrypt a stored value with the key its id names; raises DecryptionFailed when it cannot be read."""
    return None if token is None else keyring().decrypt(token, aad)


def readable(token: str | None, aad: bytes) -> str | None:
    """The plain value, or ``UNREADABLE`` for one that cannot be decrypted (pages show it instead of failing)."""
    try:
        return decrypt(token, aad)
    except DecryptionFailed:
        return UNREADABLE


def rotate(token: str | None, aad: bytes) -> str | None:
    """Re-encrypt a stored value under the primary key (also upgrades a legacy Fernet value)."""
    if token is None:
        return None
    if is_legacy(token):
        return encrypt(decrypt_legacy(token), aad)
    return encrypt(decrypt(token, aad), aad)


def is_legacy(token: str | None) -> bool:
    """Whether ``token`` is a Fernet value written before values were bound to their rows."""
    return token is not None and not token.startswith(PREFIX + ".")


def decrypt_legacy(token: str) -> str:
    """Read a Fernet value (unbound); only the upgrade path calls this, never a page."""
    fernet = MultiFernet([Fernet(raw.encode()) for raw in current_app.config["ENCRYPTION_KEYS"]])
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionFailed("no configured encryption key can read this legacy value") from exc


class EncryptedField:
    """A plain-text attribute of a model, stored encrypted in ``column`` and bound to the row's id.

    A value set before the row has an id (a new object) waits on the object and is written by an UPDATE right
    after the INSERT, when the id is known. Reading an unreadable value raises DecryptionFailed; pages use
    :func:`readable` through a model property instead.
    """

    def __init__(self, column: str):
        self.column = column

    def __set_name__(self, owner, name: str) -> None:
        self.pending = f"_pending_{name}"
        FIELDS.append((owner.__tablename__, self.column))
        event.listen(owner, "after_insert", self._write_pending)

    def aad(self, obj) -> bytes:
        return associated_data(obj.__tablename__, self.column, obj.id)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        if obj.id is None:
            return getattr(obj, self.pending, None)
        return decrypt(getattr(obj, self.column), self.aad(obj))

    def __set__(self, obj, value: str | None) -> None:
        value = value or None  # an empty value is stored as NULL
        if obj.id is None:
            setattr(obj, self.pending, value)
            return
        setattr(obj, self.column, encrypt(value, self.aad(obj)))

    def is_set(self, obj) -> bool:
        """Whether the row holds (or is about to hold) a value, without decrypting it."""
        return getattr(obj, self.pending, None) is not None or getattr(obj, self.column) is not None

    def _write_pending(self, _mapper, connection, obj) -> None:
        if getattr(obj, self.pending, None) is None:
            return
        token = encrypt(getattr(obj, self.pending), self.aad(obj))
        table = obj.__table__
        connection.execute(table.update().where(table.c.id == obj.id).values({self.column: token}))
        set_committed_value(obj, self.column, token)  # the row holds it now: not a pending change
        delattr(obj, self.pending)


@dataclass
class Rewritten:
    values: int = 0
    unreadable: int = 0


def reencrypt_column(connection, table_name: str, column_name: str, convert) -> Rewritten:
    """Rewrite every value of one encrypted column with ``convert(token, aad)`` in batches by id (memory stays
    flat on a million debtors). A value ``convert`` cannot read is left as it is and counted."""
    rows = table(table_name, column("id"), column(column_name))
    value = rows.c[column_name]
    update = rows.update().where(rows.c.id == bindparam("row_id")).values({column_name: bindparam("token")})
    result, last_id = Rewritten(), 0
    while True:
        stmt = select(rows.c.id, value).where(rows.c.id > last_id, value.is_not(None)).order_by(rows.c.id)
        batch = connection.execute(stmt.limit(BATCH)).all()
        changed = []
        for row_id, token in batch:
            try:
                changed.append(
                    {"row_id": row_id, "token": convert(token, associated_data(table_name, column_name, row_id))}
                )
            except DecryptionFailed:
                result.unreadable += 1
        if changed:
            connection.execute(update, changed)
        result.values += len(changed)
        if len(batch) < BATCH:
            return result
        last_id = batch[-1][0]


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy bearer token (pay links, API tokens, recovery codes): what is stored and
    looked up, so the database never holds a usable token. No salt or stretching: the token is random."""
    return hashlib.sha256(token.encode()).hexdigest()


def derived_token(purpose: str, value: str) -> str:
    """A token only the app can compute again (HMAC under SECRET_KEY of ``purpose`` and ``value``): lets staff
    see a pay link again while the database holds only its digest."""
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")
