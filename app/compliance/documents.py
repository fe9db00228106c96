"""Stored documents about an account: dispute letters, verifications sent, validation notices' PDFs.

The bytes go to the storage directory (the imports' volume, under ``<agency>/documents/``), named by their
SHA-256, so the row's hash proves the file is the one stored; the row is added in the caller's transaction.
"""

import io
from pathlib import Path

from flask import current_app

from app.compliance.models import Document
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.imports.storage import store_stream

FOLDER = "documents"
MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 200


def store(account, content: bytes, filename: str, content_type: str, *, actor=None) -> Document:
    """Keep ``content`` as a document of ``account`` (no commit). ValidationFailed for an empty or oversized file."""
    if not content:
        raise ValidationFailed("The file is empty.")
    if len(content) > MAX_BYTES:
        raise ValidationFailed(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    sha256, size, path = store_stream(account.agency_id, io.BytesIO(content), folder=FOLDER, suffix="")
    root = Path(current_app.config["IMPORT_STORAGE_DIR"])
    document = Document(
        agency_id=account.agency_id,
        account_id=account.id,
        filename=_clean_name(filename),
        content_type=content_type[:100] or "application/octet-stream",
        size=size,
        sha256=sha256,
        path=str(path.relative_to(root)),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def read(document: Document) -> bytes:
    """The stored bytes of ``document``; NotFound when the file is gone from the volume."""
    path = Path(current_app.config["IMPORT_STORAGE_DIR"], document.path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound("The document's file is missing from storage.") from None


def _clean_name(filename: str) -> str:
    """The file's own name without folders or control characters, for the download's header."""
    name = Path(filename.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable())
    return name[:MAX_NAME] or "document"
