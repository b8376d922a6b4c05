"""One ``assistant run`` per SQLite database; a name for each instance on PostgreSQL.

SQLite has no row locks that several processes could share work with (no ``FOR UPDATE
SKIP LOCKED``), so two services on one file would both read the same pending mail and
fight over the write lock. The first ``assistant run`` takes an exclusive lock on a file
beside the database and holds it while it runs; a second one is refused with a clear
message. PostgreSQL needs no such lock: several instances share the work there, each
leasing rows under its :func:`instance_id` (``assistant.pipeline.claim_pending``).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import socket
from functools import cache
from pathlib import Path

from sqlalchemy.engine import URL, make_url


@cache
def instance_id() -> str:
    """This process's name on leased rows: host, pid and a random part (a pid is reused
    after a restart, and on another host). At most 64 characters, the column's size."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class AlreadyRunning(Exception):
    pass


class InstanceLock:
    """Held for the life of the service; released by the kernel if the process dies."""

    def __init__(self, url: str | URL) -> None:
        self.url = make_url(url)
        self._fd: int | None = None

    @property
    def path(self) -> Path | None:
        database = self.url.database or ""
        if self.url.get_backend_name() != "sqlite" or database in ("", ":memory:") \
                or database.startswith("file:"):
            return None
        return Path(database).absolute().with_name(Path(database).name + ".run-lock")

    def acquire(self) -> None:
        path = self.path
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(
                f"another 'assistant run' is already using the SQLite database "
                f"{Path(self.url.database or '').absolute()}; SQLite serves one instance. "
                "Stop the other one, or point [database] url at PostgreSQL to run several "
                "instances that share the work") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
