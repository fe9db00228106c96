"""Durable storage of received files: raw bytes kept under ``IMPORT_STORAGE_DIR``, named by SHA-256.

In production the directory must be a volume shared by web and worker processes (see README "Imports").
"""

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK = 1 << 20


def storage_dir(agency_id: int, *parts: str) -> Path:
    path = Path(current_app.config["IMPORT_STORAGE_DIR"], str(agency_id), *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_stream(agency_id: int, stream: BinaryIO, *, folder: str = "", suffix: str = ".csv") -> tuple[str, int, Path]:
    """Copy ``stream`` into the store (``folder`` under the agency's), fsync it, and return ``(sha256, size, path)``."""
    folder = storage_dir(agency_id, *filter(None, [folder]))
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    final = folder / f"{digest.hexdigest()}{suffix}"
    os.replace(tmp_name, final)
    return digest.hexdigest(), size, final


def store_path(agency_id: int, source: Path) -> tuple[str, int, Path]:
    """Store a local file (CLI, drop folder)."""
    with source.open("rb") as fh:
        return store_stream(agency_id, fh)
