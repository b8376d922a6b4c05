"""``assistant run`` killed with SIGKILL while mail arrives: after restarts, every
message the SMTP server accepted is processed exactly once (one claim each, no
duplicate mail), and a message the client saw fail is simply sent again."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from assistant.db import make_engine, session
from assistant.models import Claim, InboundMessage, OutboundMessage
from tests.fixtures.payslips import make_case, render
from tests.integration.net import free_port, wait_for_port

ASSISTANT = [sys.executable, "-c", "from assistant.cli import main; main()"]
MESSAGES = 24


def wait_until_listening(port: int, proc: subprocess.Popen, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"assistant run exited with {proc.returncode}")
        try:
            wait_for_port(port, timeout=1)
            return
        except TimeoutError:
            continue
    raise AssertionError("assistant run did not start listening")


def start(config: Path, port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen([*ASSISTANT, "run", "--config", str(config)],
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)
    wait_until_listening(port, proc)
    return proc


def message(i: int) -> bytes:
    case = make_case(("municipal", "private", "card")[i % 3], 100 + i)
    msg = EmailMessage()
    msg["From"], msg["To"] = "lon@firma.dk", "jobcenter@kommune.example"
    msg["Subject"], msg["Message-ID"] = f"Refusion {i}", make_msgid(domain="firma.dk")
    msg.set_content("Vi søger refusion for løn, ATP og pension.\n")
    msg.add_attachment(render(case), maintype="application", subtype="pdf",
                       filename=f"lonseddel-{i}.pdf")
    return msg.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


def send_until_accepted(port: int, raw: bytes, deadline: float = 90) -> None:
    """Like a sending MTA: retry until the server answers 250."""
    end = time.monotonic() + deadline
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
                client.sendmail("lon@firma.dk", ["jobcenter@kommune.example"], raw)
            return
        except (OSError, smtplib.SMTPException):
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sigkill_while_mail_arrives_loses_and_duplicates_nothing(tmp_path, backend):
    port = free_port()
    db = tmp_path / "assistant.db"
    config = tmp_path / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite:///{db}"
[inbox.smtp]
port = {port}
[outbox]
directory = "{tmp_path / 'outbox'}"
""")
    log = tmp_path / "run.log"
    raws = [message(i) for i in range(MESSAGES)]
    proc = start(config, port, log)
    kills = 0
    try:
        for i, raw in enumerate(raws):
            if i in (MESSAGES // 3, 2 * MESSAGES // 3):
                # Kill in the middle of processing what just arrived, then restart.
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                kills += 1
                proc = start(config, port, log)
            send_until_accepted(port, raw)
        engine = make_engine(f"sqlite:///{db}")
        end = time.monotonic() + 120
        while time.monotonic() < end:
            with session(engine) as s:
                pending = s.exec(select(func.count()).select_from(InboundMessage).where(
                    InboundMessage.status != "processed")).one()
                unsent = s.exec(select(func.count()).select_from(OutboundMessage).where(
                    OutboundMessage.status != "sent")).one()
            if pending == 0 and unsent == 0:
                break
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert kills == 2
    with session(engine) as s:
        inbound = s.exec(select(InboundMessage)).all()
        claims = s.exec(select(Claim)).all()
        mail = s.exec(select(OutboundMessage)).all()
    assert len(inbound) == MESSAGES, "every accepted message stored once"
    assert all(m.status == "processed" for m in inbound)
    assert sorted(c.inbound_id for c in claims) == sorted(m.id for m in inbound)
    keys = [(m.inbound_id, m.kind, m.recipient) for m in mail]
    assert len(keys) == len(set(keys)), "no duplicate reply or summary"
    assert all(m.status == "sent" for m in mail)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == len(mail)


def test_a_second_run_on_the_same_sqlite_file_is_refused_clearly(tmp_path):
    port, other_port = free_port(), free_port()
    db = tmp_path / "assistant.db"

    def config_with(port_: int, name: str) -> Path:
        path = tmp_path / name
        path.write_text(f'[database]\nurl = "sqlite:///{db}"\n[inbox.smtp]\nport = {port_}\n'
                        f'[outbox]\ndirectory = "{tmp_path / "outbox"}"\n'
                        '[followup]\nenabled = false\n')
        return path

    first = start(config_with(port, "a.toml"), port, tmp_path / "a.log")
    try:
        second = subprocess.run([*ASSISTANT, "run", "--config",
                                 str(config_with(other_port, "b.toml"))],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "another 'assistant run' is already using the SQLite database" in second.stderr
        assert "Traceback" not in second.stderr
        assert first.poll() is None  # the first one runs on
    finally:
        first.terminate()
        first.wait(timeout=30)
    # Once the first has stopped (or died), a new one starts.
    again = start(config_with(other_port, "b.toml"), other_port, tmp_path / "c.log")
    again.terminate()
    again.wait(timeout=30)
