"""Remote drop folders: an SFTP server through paramiko (pinned host key), or a local folder (the demo).

Both offer the same small interface — ``list_files``, ``download``, ``move_to_processed`` — so the poller
does not care where files come from.
"""

import base64
import fnmatch
import io
import logging
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import paramiko

from app import netguard

log = logging.getLogger(__name__)
PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".filepart")
KEY_CLASSES = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)


class RemoteError(Exception):
    """The source could not be reached or used; the message says exactly why."""


class HostKeyRefused(RemoteError):
    """The server's host key is not the pinned one (never retried)."""


class AddressNotAllowed(RemoteError):
    """The host is on a loopback, private, link-local or reserved address (never retried, never connected to)."""


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    mtime: int


def is_candidate(name: str, pattern: str) -> bool:
    """A finished file matching the source's pattern (files still being written are skipped)."""
    lowered = name.lower()
    return (
        not lowered.endswith(PARTIAL_SUFFIXES)
        and not name.startswith(".")
        and fnmatch.fnmatch(lowered, pattern.lower())
    )


def parse_host_key(text: str) -> paramiko.PKey:
    """A pinned key written like a known_hosts entry: ``[host] <type> <base64>``."""
    parts = text.split()
    if len(parts) >= 3 and not parts[0].startswith(("ssh-", "ecdsa-")):
        parts = parts[1:]
    if len(parts) < 2:
        raise RemoteError("The pinned host key must look like 'ssh-ed25519 AAAA…'.")
    try:
        return paramiko.PKey.from_type_string(parts[0], base64.b64decode(parts[1]))
    except (ValueError, paramiko.SSHException) as exc:
        raise RemoteError(f"The pinned host key cannot be read: {exc}") from None


def parse_private_key(text: str) -> paramiko.PKey:
    """Load an Ed25519, ECDSA or RSA private key from its PEM/OpenSSH text."""
    for cls in KEY_CLASSES:
        try:
            return cls.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise RemoteError("The private key is not an unencrypted Ed25519, ECDSA or RSA key.")


@dataclass
class SftpSettings:
    host: str
    port: int
    username: str
    password: str | None
    private_key: str | None
    host_key: str
    remote_dir: str
    processed_dir: str
    connect_timeout: float = 10.0
    operation_timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0


class SftpFolder:
    """A directory on an SFTP server; use as a context manager."""

    def __init__(self, settings: SftpSettings):
        self.s = settings
        self.client: paramiko.SSHClient | None = None
        self.sftp: paramiko.SFTPClient | None = None

    def __enter__(self) -> "SftpFolder":
        self.client = connect_with_retries(self.s)
        self.sftp = self.client.open_sftp()
        self.sftp.get_channel().settimeout(self.s.operation_timeout)
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def list_files(self) -> list[RemoteFile]:
        try:
            entries = self.sftp.listdir_attr(self.s.remote_dir)
        except OSError as exc:
            raise RemoteError(f"Cannot list {self.s.remote_dir}: {exc}") from None
        return [RemoteFile(e.filename, e.st_size or 0, e.st_mtime or 0) for e in entries if _is_file(e)]

    def download(self, name: str, out: BinaryIO) -> None:
        try:
            self.sftp.getfo(f"{self.s.remote_dir.rstrip('/')}/{name}", out)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise RemoteError(f"Download of {name} failed: {_describe(exc)}") from None

    def move_to_processed(self, name: str) -> str:
        """Move a fetched file to the processed directory (a name already there gets a time suffix)."""
        target_dir = self.s.processed_dir.rstrip("/")
        self._ensure_dir(target_dir)
        target = f"{target_dir}/{name}"
        if self._exists(target):
            target = f"{target_dir}/{int(time.time())}-{name}"
        try:
            self.sftp.rename(f"{self.s.remote_dir.rstrip('/')}/{name}", target)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise RemoteError(f"Moving {name} to {target_dir} failed: {_describe(exc)}") from None
        return target

    def _ensure_dir(self, path: str) -> None:
        if not self._exists(path):
            self.sftp.mkdir(path)

    def _exists(self, path: str) -> bool:
        try:
            self.sftp.stat(path)
        except OSError:
            return False
        return True


def _is_file(attr) -> bool:
    import stat

    return attr.st_mode is None or stat.S_ISREG(attr.st_mode)


def connect_with_retries(s: SftpSettings) -> paramiko.SSHClient:
    """Connect, retrying connection errors with exponential backoff; a refused host key or address is final."""
    for attempt in range(1, s.retries + 1):
        try:
            return _connect(s)
        except (HostKeyRefused, AddressNotAllowed):
            raise
        except (OSError, EOFError, paramiko.SSHException) as exc:
            if isinstance(exc, paramiko.AuthenticationException) or attempt == s.retries:
                raise RemoteError(f"Cannot connect to {s.host}:{s.port}: {_describe(exc)}") from None
            delay = s.backoff * 2 ** (attempt - 1)
            log.warning("sftp connect to %s:%s failed (%s); retry %d in %.1fs", s.host, s.port, exc, attempt, delay)
            time.sleep(delay)
    raise RemoteError("unreachable")  # pragma: no cover  (the loop returns or raises)


def _connect(s: SftpSettings) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    if s.host_key:
        key = parse_host_key(s.host_key)
        name = s.host if s.port == 22 else f"[{s.host}]:{s.port}"
        client.get_host_keys().add(name, key.get_name(), key)
    pkey = parse_private_key(s.private_key) if s.private_key else None
    try:
        sock = netguard.connect(s.host, s.port, s.connect_timeout)
    except netguard.AddressRefused as exc:
        raise AddressNotAllowed(str(exc)) from None
    try:
        client.connect(
            s.host, port=s.port, username=s.username, password=s.password or None, pkey=pkey, sock=sock,
            timeout=s.connect_timeout, banner_timeout=s.connect_timeout, auth_timeout=s.connect_timeout,
            look_for_keys=False, allow_agent=False,
        )  # fmt: skip
    except paramiko.BadHostKeyException:
        client.close()
        raise HostKeyRefused(
            f"{s.host}:{s.port} presented a host key that differs from the pinned one; refused."
        ) from None
    except paramiko.SSHException as exc:
        client.close()
        if "not found in known_hosts" in str(exc):
            raise HostKeyRefused(f"{s.host}:{s.port} has no pinned host key that matches; refused.") from None
        raise
    return client


def _describe(exc: Exception) -> str:
    if isinstance(exc, paramiko.AuthenticationException):
        return "authentication failed (check username, password or key)"
    if isinstance(exc, socket.timeout):
        return "timed out"
    return str(exc) or exc.__class__.__name__


class LocalFolder:
    """A folder on this machine used as a drop box (the embedded demo)."""

    def __init__(self, remote_dir: str, processed_dir: str):
        self.dir, self.processed = Path(remote_dir), Path(processed_dir)

    def __enter__(self) -> "LocalFolder":
        if not self.dir.is_dir():
            raise RemoteError(f"The folder {self.dir} does not exist.")
        return self

    def __exit__(self, *exc) -> None:
        return None

    def list_files(self) -> list[RemoteFile]:
        return [RemoteFile(p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in self.dir.iterdir() if p.is_file()]

    def download(self, name: str, out: BinaryIO) -> None:
        with (self.dir / name).open("rb") as fh:
            shutil.copyfileobj(fh, out)

    def move_to_processed(self, name: str) -> str:
        self.processed.mkdir(parents=True, exist_ok=True)
        target = self.processed / name
        if target.exists():
            target = self.processed / f"{int(time.time())}-{name}"
        (self.dir / name).rename(target)
        return str(target)
