"""Checkpoints: every agency's chain head, published to a file outside the database and signed.

``flask audit checkpoint`` (and the hourly cron job) writes one; ``flask audit verify --against FILE`` then
requires each chain to still pass through the heads it lists. The signature is an HMAC under a key derived from
the audit key, so neither the database's owner nor someone who can only write the checkpoint directory can make
one. Point ``AUDIT_CHECKPOINT_DIR`` at storage the database host cannot rewrite (another volume, or a bucket
with object lock); each checkpoint is a new file and none is ever rewritten.
"""

import hashlib
import hmac
import json
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.audit.models import AuditChainHead
from app.audit.services import audit_key
from app.audit.verify import Anchor
from app.extensions import db
from app.timeutil import utcnow

VERSION = 1


class CheckpointInvalid(ValueError):
    """The file is not a checkpoint this installation signed (unreadable, altered, or another key's)."""


def write_checkpoint(directory: str | None = None) -> Path:
    """Write the current chain heads to a new signed file in ``directory`` (default AUDIT_CHECKPOINT_DIR)."""
    heads = db.session.scalars(select(AuditChainHead).where(AuditChainHead.last_event_id.is_not(None)))
    body = {
        "version": VERSION,
        "created_at": utcnow().isoformat(),
        "heads": {str(h.agency_id): {"event_id": h.last_event_id, "hash": h.last_hash} for h in heads},
    }
    folder = Path(directory or current_app.config["AUDIT_CHECKPOINT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-checkpoint-{utcnow():%Y%m%dT%H%M%S%fZ}.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({**body, "signature": _sign(body)}, indent=1, sort_keys=True))
    os.replace(partial, path)  # a reader never sees half a file
    return path


def load_checkpoint(path: str | Path) -> dict[int, Anchor]:
    """The anchors of a checkpoint file, by agency id; raises CheckpointInvalid unless its signature holds."""
    try:
        document = json.loads(Path(path).read_text())
        signature = document.pop("signature")
        heads = document["heads"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointInvalid(f"{path} is not a readable checkpoint") from exc
    if not hmac.compare_digest(str(signature), _sign(document)):
        raise CheckpointInvalid(f"{path}: the signature does not match (altered, or signed with another key)")
    return {int(agency): Anchor(head["event_id"], head["hash"]) for agency, head in heads.items()}


def _sign(body: dict) -> str:
    key = hmac.new(audit_key(), b"audit checkpoint signing", hashlib.sha256).digest()
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()
