"""localstripe (a stateful fake Stripe API, with a Stripe.js stand-in) as a subprocess on a free loopback port."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PUBLISHABLE_KEY, SECRET_KEY = "pk_test_debtflow", "sk_test_debtflow"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


@contextmanager
def localstripe(log_path: Path) -> Iterator[str]:
    """Run localstripe until the block ends; yields its base URL."""
    port, exe = _free_port(), Path(sys.executable).parent / "localstripe"
    with log_path.open("w") as log:
        cmd = [str(exe), "--port", str(port), "--from-scratch"]
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 (our own venv binary)
        try:
            if not _wait_for(port):
                raise RuntimeError(f"localstripe did not start; see {log_path}")
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def stripe_settings(url: str, webhook_secret: str) -> dict:
    """App settings that point card payments at a localstripe server."""
    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_API_BASE": url,
        "STRIPE_JS_URL": f"{url}/js.stripe.com/v3/",
    }
