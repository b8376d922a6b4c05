"""``assistant run`` through its real entry point: a port that is taken is one clear line
naming the config key, and a non-zero exit code, not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

ASSISTANT = [sys.executable, "-c", "from assistant.cli import main; main()"]


def test_a_taken_smtp_port_is_one_line_naming_the_key(config_file, tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = config_file(f'[inbox.smtp]\nport = {port}\n[outbox]\ndirectory = '
                             f'"{tmp_path / "outbox"}"\n')
        done = subprocess.run([*ASSISTANT, "run", "--config", str(config)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: the port is already in use (another "
        "program, or assistant run already running); set another [inbox.smtp] port (or "
        "host) in the config")
