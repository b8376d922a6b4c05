"""Loopback helpers for tests that start real servers."""

from __future__ import annotations

import random
import socket
import time

# Below Linux's ephemeral range (32768-60999): a port handed out there can be taken as
# the local port of any outgoing connection (a PostgreSQL client, say) in the moment
# between choosing it and the server under test binding it.
PORTS = range(20000, 32768)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (for servers that need a fixed port)."""
    for _ in range(200):
        port = random.choice(PORTS)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {PORTS.start}-{PORTS.stop - 1}")


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    """Block until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s") from exc
            time.sleep(0.05)
