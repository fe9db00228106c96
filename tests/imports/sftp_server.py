"""A real SFTP server (asyncssh) on loopback for tests, running in its own thread and event loop."""

import asyncio
import socket
import threading
from pathlib import Path

import asyncssh

USERNAME, PASSWORD = "creditor", "drop-secret-42"


class _Auth(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return (username, password) == (USERNAME, PASSWORD)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SftpTestServer:
    """Serves ``root`` over SFTP on 127.0.0.1; ``host_key`` is its public key line."""

    def __init__(self, root: Path, port: int = 0):
        self.root, self.port = root, port
        self.key = asyncssh.generate_private_key("ssh-ed25519")
        self.host_key = self.key.export_public_key().decode().split()[0:2]
        self.host_key = " ".join(self.host_key)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = None

    def start(self) -> "SftpTestServer":
        if not self.thread.is_alive():
            self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _listen(self):
        return await asyncssh.create_server(
            _Auth, "127.0.0.1", self.port, server_host_keys=[self.key],
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(self.root)),
        )  # fmt: skip

    def stop(self) -> None:
        # Close on the server's own loop: asyncio objects are not thread-safe, and closing from the test's
        # thread raced with the loop (a TypeError in asyncio's Server.close, now and then).
        if self.server:
            asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(10)
            self.server = None
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _close(self) -> None:
        self.server.close()
        await self.server.wait_closed()
