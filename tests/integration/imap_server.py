"""A real IMAP server for the tests: Dovecot in the foreground on a loopback port.

Each server gets a throw-away directory with its own config, passwd-file and
maildirs, so tests never touch a system mailbox. Dovecot refuses to run mail
processes as root, so when the tests run as root the mail belongs to ``nobody``.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tests.integration.net import free_port, wait_for_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "jobcenter", "hemmelig"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""


def available() -> bool:
    return os.access(DOVECOT, os.X_OK)


class Dovecot:
    """``start()``, ``stop()``, ``kill()`` (SIGKILL, as a crash), ``restart()``."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: its parents are private to root, and the mail
        # processes run as another user.
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.getuid() == 0:
            account = pwd.getpwnam("nobody")
            uid, gid = account.pw_uid, account.pw_gid
        else:
            uid, gid = os.getuid(), os.getgid()
        user, group = pwd.getpwuid(uid).pw_name, _group_name(gid)
        for sub in ("mail", "home"):
            (self.root / sub).mkdir()
            os.chown(self.root / sub, uid, gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(CONFIG.format(
            root=self.root, port=self.port, uid=uid, gid=gid, user=user, group=group))

    def start(self) -> None:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=(self.root / "stderr.log").open("ab"),
            start_new_session=True)  # its own process group, so kill() reaches every child
        try:
            wait_for_port(self.port, timeout=15)
        except TimeoutError as exc:
            raise RuntimeError(f"Dovecot did not start: {self.log()[-2000:]}") from exc

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
            with contextlib.suppress(ProcessLookupError):  # children still closing
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def kill(self) -> None:
        """A crash: SIGKILL to the master and every child (login and imap processes)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
            (self.root / "run" / "master.pid").unlink(missing_ok=True)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        parts = [p.read_text(errors="replace") for p in
                 (self.root / "dovecot.log", self.root / "stderr.log") if p.exists()]
        return "\n".join(parts)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _group_name(gid: int) -> str:
    return grp.getgrgid(gid).gr_name
