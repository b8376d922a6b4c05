"""Idle connections against `assistant run` with a 1,024 open-file limit.

Starts the service (SQLite in a temp directory, SMTP on a free loopback port) with
RLIMIT_NOFILE = --fd-limit, opens --idle connections that never send a command (from
one address, or spread over --addresses loopback addresses, 127.0.0.2 ...), then sends
a claim mail from another address and reports: the SMTP answer, how many idle
connections got 421, the service's open file descriptors, and the log size after
--seconds. Run it from the repository root:

    .venv/bin/python bench/connections.py --idle 1100 [--addresses 55]
"""

from __future__ import annotations

import argparse
import os
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.net import free_port, wait_for_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=1100, help="idle connections to open")
    parser.add_argument("--addresses", type=int, default=1,
                        help="spread them over this many client addresses")
    parser.add_argument("--fd-limit", type=int, default=1024, help="the service's ulimit -n")
    parser.add_argument("--max-connections", type=int, default=100,
                        help="[inbox.smtp] max_connections")
    parser.add_argument("--per-ip", type=int, default=20, help="max_connections_per_ip")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="how long the idle connections are held before the mail")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-conn-"))
    port = free_port()
    config = work / "assistant.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{work}/data/assistant.db"\n'
                      f'[inbox.smtp]\nport = {port}\nmax_connections = {args.max_connections}\n'
                      f'max_connections_per_ip = {args.per_ip}\n'
                      f'[outbox]\ndirectory = "{work}/outbox"\n')
    log_path = work / "service.log"
    limit = args.fd_limit

    def lower_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    with log_path.open("wb") as log:
        service = subprocess.Popen(
            [str(ROOT / ".venv/bin/assistant"), "run", "--config", str(config)],
            stdout=log, stderr=log, preexec_fn=lower_limit, cwd=work)
    try:
        wait_for_port(port, timeout=60)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        print(f"service pid {service.pid}, fd limit {limit}; opening {args.idle} idle "
              f"connections from {args.addresses} address(es)", flush=True)
        idle, refused, failed = [], 0, 0
        for n in range(args.idle):
            source = f"127.0.0.{2 + n % args.addresses}"
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                                source_address=(source, 0))
            except OSError:
                failed += 1
                continue
            idle.append(sock)
        for sock in idle:
            sock.settimeout(0.5)  # connections the service never accepted stay silent
            try:
                greeting = sock.recv(200)
            except OSError:
                greeting = b""
            refused += greeting.startswith(b"421")
        fds = len(os.listdir(f"/proc/{service.pid}/fd"))
        print(f"opened {len(idle)} (connect failed: {failed}); answered 421: {refused}; "
              f"service fds now {fds}", flush=True)
        time.sleep(args.seconds)
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = ("loen@firma.dk", "jobcenter@kommune.example",
                                                  "Refusion")
        msg.set_content("Vi søger refusion.")
        started = time.monotonic()
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=30,
                              source_address=("127.0.0.250", 0)) as client:
                client.send_message(msg)
            answer = "250 (stored)"
        except smtplib.SMTPException as exc:
            answer = f"refused: {exc}"
        print(f"a mail from another address while they are held: {answer} "
              f"({time.monotonic() - started:.2f} s)", flush=True)
        for sock in idle:
            sock.close()
        print(f"service alive: {service.poll() is None}; log after {args.seconds:.0f} s: "
              f"{log_path.stat().st_size} bytes, "
              f"{len(log_path.read_bytes().splitlines())} lines", flush=True)
    finally:
        service.terminate()
        service.wait(30)


if __name__ == "__main__":
    main()
