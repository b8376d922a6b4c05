"""Files only the service's own user may read: the database, its WAL files, the outbox.

Modes are set explicitly, not left to the umask: claims and payslips hold full CPR
numbers, and a umask of 022 (the usual default) would make them world-readable.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) owner-only (0700), whatever the umask.

    A directory that already existed keeps its mode: it may be shared on purpose
    (the current directory, /var/lib ...)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it meanwhile
        os.chmod(directory, DIR_MODE)  # mkdir's mode is reduced by the umask, not widened


def private_file(path: Path) -> None:
    """Make ``path`` owner-only (0600), creating it empty if it does not exist."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    restrict(path)


def restrict(path: Path) -> None:
    """Set ``path`` to 0600 if it exists with another mode; a warning if that fails."""
    try:
        if (path.stat().st_mode & 0o777) != FILE_MODE:
            os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("cannot make %s owner-only (0600): %s", path, exc)
