"""Managing import sources (admins, in Settings): create, update, test the connection, check now."""

from flask import current_app
from redis.exceptions import RedisError

from app import crypto, netguard, queue
from app.audit import services as audit
from app.auth.models import User
from app.errors import ValidationFailed
from app.extensions import db
from app.imports import sftp
from app.imports.models import ImportSource, SourceKind

PLAIN_FIELDS = ("name", "host", "port", "username", "host_key", "remote_dir", "processed_dir", "pattern")
PLAIN_FIELDS += ("poll_interval_minutes", "enabled")
DEFAULT_PORT, MAX_PORT = 22, 65535


def save_source(values: dict, *, actor: User, source: ImportSource | None = None) -> ImportSource:
    """Create or update a source of the actor's agency; blank secrets keep the stored ones.

    Raises ValidationFailed when an SFTP source lacks a host, a username, a credential or a pinned host key.
    """
    source = source or ImportSource(agency_id=actor.agency_id)
    before = {f: getattr(source, f) for f in PLAIN_FIELDS}
    for name in PLAIN_FIELDS:
        setattr(source, name, values[name].strip() if isinstance(values[name], str) else values[name])
    source.kind = SourceKind(values["kind"])
    secrets_changed = [n for n in ("password", "private_key") if values.get(n)]
    for name in secrets_changed:
        setattr(source, name, values[name])
    try:
        _check_complete(source)
    except ValidationFailed:
        db.session.rollback()  # a stored source gets its saved values back: nothing half-changed lingers
        raise
    db.session.add(source)
    db.session.flush()
    changes = audit.diff(before, {f: getattr(source, f) for f in PLAIN_FIELDS})
    changes.update({f"{n}": {"old": "***", "new": "*** (changed)"} for n in secrets_changed})
    audit.record(actor, actor.agency_id, "import_source.saved", "import_source", source.id, changes)
    db.session.commit()
    return source


def _check_complete(source: ImportSource) -> None:
    if source.kind == SourceKind.LOCAL:
        source.port = source.port or DEFAULT_PORT  # not used by a folder; the column has no empty value
        if not current_app.config.get("EMBEDDED"):
            # A local folder reads and moves files on the server itself: only for the single-user embedded mode.
            raise ValidationFailed("Local folders are only for the embedded demo.", {"kind": "Use SFTP."})
        return
    fields = {}
    if not source.port or not 1 <= source.port <= MAX_PORT:
        fields["port"] = f"An SFTP source needs a port from 1 to {MAX_PORT}."
    if not source.host:
        fields["host"] = "An SFTP source needs a host."
    elif refused := netguard.refused_host(source.host, source.port):
        fields["host"] = refused
    if not source.username:
        fields["username"] = "An SFTP source needs a username."
    if not source.has_credential():
        fields["password"] = "Give a password or a private key."  # noqa: S105  (a message, not a secret)
    if not source.host_key:
        fields["host_key"] = "Pin the server's host key (ssh-keyscan -t ed25519 HOST)."
    elif _bad_host_key(source.host_key):
        fields["host_key"] = _bad_host_key(source.host_key)
    if fields:
        raise ValidationFailed("Some settings are missing or wrong.", fields)


def _bad_host_key(text: str) -> str:
    try:
        sftp.parse_host_key(text)
    except sftp.RemoteError as exc:
        return str(exc)
    return ""


def open_folder(source: ImportSource):
    """The source's drop folder, ready to use as a context manager."""
    if source.kind == SourceKind.LOCAL:
        return sftp.LocalFolder(source.remote_dir, source.processed_dir)
    cfg = current_app.config
    try:
        password, private_key = source.password, source.private_key
    except crypto.DecryptionFailed as exc:
        raise sftp.RemoteError("The stored password or private key is unreadable: enter it again.") from exc
    settings = sftp.SftpSettings(
        host=source.host, port=source.port, username=source.username, password=password,
        private_key=private_key, host_key=source.host_key, remote_dir=source.remote_dir,
        processed_dir=source.processed_dir, connect_timeout=cfg.get("SFTP_CONNECT_TIMEOUT", 10),
        operation_timeout=cfg.get("SFTP_OPERATION_TIMEOUT", 30), retries=cfg.get("SFTP_RETRIES", 3),
        backoff=cfg.get("SFTP_BACKOFF", 1.0),
    )  # fmt: skip
    return sftp.SftpFolder(settings)


def test_connection(source: ImportSource) -> tuple[bool, str]:
    """Connect and list the remote directory; report success or the precise failure."""
    try:
        with open_folder(source) as folder:
            files = [f for f in folder.list_files() if sftp.is_candidate(f.name, source.pattern)]
    except sftp.RemoteError as exc:
        return False, str(exc)
    return True, f"Connected. {len(files)} file(s) matching {source.pattern} waiting in {source.remote_dir}."


def check_now(source: ImportSource, *, actor: User) -> str:
    """Queue a poll of the source right away (the admin's "Check now"); QueueUnavailable while Redis is down
    (nothing is recorded then, and the scheduled polls resume by themselves once it is back)."""
    try:
        rq_id = queue.enqueue("jobs.imports.poll_source", source.id, queue="imports", description=f"poll {source.name}")
    except RedisError:
        raise queue.QueueUnavailable("The job queue is unreachable right now; try again in a few minutes.") from None
    audit.record(actor, source.agency_id, "import_source.check_now", "import_source", source.id, {})
    db.session.commit()
    return rq_id
