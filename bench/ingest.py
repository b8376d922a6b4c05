"""Benchmark: claim mails over SMTP into a running ``assistant run``.

    .venv/bin/python bench/ingest.py --n 10000                 # flood, SQLite
    .venv/bin/python bench/ingest.py --n 1500 --rate 5         # paced latency run
    .venv/bin/python bench/ingest.py --n 2000 --db postgresql  # the same on PostgreSQL
    .venv/bin/python bench/ingest.py --n 2000 --distinct 2000  # every mail a new valid claim
    .venv/bin/python bench/ingest.py --db postgresql --n 1000 --distinct 1000 \
        --instances 1,2 --workers 1,2      # every combination, fresh database each, ratios
    .venv/bin/python bench/ingest.py --db postgresql --n 10000 --distinct 10000 --backlog

Starts ``assistant run`` as a subprocess on loopback with a fresh database, registers
the workplaces and employments, sends N claim mails (each with a payslip PDF) from a
few SMTP connections, and waits until every message is processed. Reports accepted
mails/s (SMTP), processed mails/s, end-to-end latency from SMTP accept to the mail
queued in the outbox and to the mail delivered (the .eml written), p50/p99, and the
service's RSS (with its PDF-reader children) at start, peak and end.

With the default 30 distinct payslips, all but the first 30 mails are overlapping
duplicates held for review; ``--distinct N`` registers N employments (the pool is sized
to hold them) so up to N mails are new claims that validate, which exercises the
economy group's summary with the payslip attached.

``--instances N`` starts N ``assistant run`` on one database (PostgreSQL only; SQLite
serves one), each with ``--workers M`` PDF readers; the mail is spread over their SMTP
ports. Given lists (``1,2``), every combination runs in turn on a fresh database with
the same mails, and a table compares processed mails/s and p99 latency with the ratio
to the first combination.

``--backlog`` stores every mail first, as the SMTP server stores an accepted mail, and
only then starts the service(s): the time from their start until every message is
processed is the time to work off a backlog (a night's or a weekend's mail), with no
SMTP client on the same cores. Latencies then include the wait in the backlog.

Every run also reports ``host_probe_ms`` before and after: the CPU time of a fixed
pure-Python loop, which tells how fast the host was at the time. This machine's speed
drifts by a third within an hour, and a run's time follows it; compare runs at like
probes, or alternate the code under comparison (``--rounds``).
"""

from __future__ import annotations

import argparse
import json
import secrets
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import psutil
from sqlalchemy import create_engine, func, text
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from assistant.db import make_engine, session, upgrade  # noqa: E402
from assistant.models import Employment, InboundMessage, OutboundMessage  # noqa: E402
from assistant.repository import Repository  # noqa: E402
from assistant.store import Store  # noqa: E402
from handlers.register import Limits, latest_end  # noqa: E402
from parsers.identifiers import compact_digits  # noqa: E402
from tests.fixtures.payslips import LAYOUTS, make_case, render  # noqa: E402

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database(kind: str, tmp: Path) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    name = f"assistant_bench_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


HOURS = Decimal(3)  # approved hours/week per benchmark employment


def pool_hours(distinct: int) -> int:
    """A pool that holds every benchmark employment at once (100, the real one, if it can)."""
    return max(100, int(HOURS) * distinct)


def prepare(url: str, distinct: int) -> list[bytes]:
    """Register one workplace and employment per distinct payslip; return the PDFs.

    The first employments go through the register's own checks (``Store``); beyond
    ``CHECKED`` the rest are inserted as rows in one transaction: the pool check reads
    every employment, so checking 10,000 one by one takes many minutes of preparation
    (not of the run measured), and they are valid by construction."""
    engine = make_engine(url)
    upgrade(engine)
    store = Store(engine, Limits(pool_hours=Decimal(pool_hours(distinct))))
    pdfs, bulk = [], []
    for i in range(distinct):
        if distinct >= 100 and i % (distinct // 10) == 0:
            print(f"  registered {i}/{distinct}", file=sys.stderr, flush=True)
        case = make_case(LAYOUTS[i % len(LAYOUTS)], 500 + i)
        store.add_workplace(case.cvr, case.employer_name, ["firma.dk"])
        start = case.period_start.replace(day=1)
        if i < CHECKED:
            store.add_employment(cpr=case.cpr, citizen_name=case.employee_name,
                                 cvr=case.cvr, hours=HOURS, start=start,
                                 end=latest_end(start), reason="Benchmark")
        else:
            bulk.append((case, start))
        pdfs.append(render(case))
    with session(engine) as db:
        repo = Repository(db)
        for case, start in bulk:
            workplace = repo.workplace_by_cvr(case.cvr)
            assert workplace is not None
            db.add(Employment(cpr=compact_digits(case.cpr), citizen_name=case.employee_name,
                              workplace_id=workplace.id, hours_per_week=HOURS,
                              start_date=start, end_date=latest_end(start),
                              reason="Benchmark"))
    engine.dispose()
    return pdfs


CHECKED = 1000  # employments registered through the register's checks


def mail(i: int, pdf: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "lon@firma.dk", "jobcenter@kommune.example"
    msg["Subject"], msg["Message-ID"] = f"Refusion {i}", make_msgid(domain="firma.dk")
    msg.set_content("Vi søger refusion for løn, ATP, pension og feriepenge.\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"lon-{i}.pdf")
    return msg.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


def send_all(ports: list[int], mails: list[bytes], connections: int, rate: float) -> float:
    """Send from ``connections`` SMTP sessions, spread over ``ports`` (the instances);
    ``rate`` mails/s in total (0 = flat out)."""
    start = time.perf_counter()
    counter = iter(range(len(mails)))
    lock = threading.Lock()

    def sender(port: int) -> None:
        client = smtplib.SMTP("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            if rate:
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            client.sendmail("lon@firma.dk", ["jobcenter@kommune.example"], mails[i])
            if (i + 1) % max(1, len(mails) // 10) == 0:
                print(f"  sent {i + 1}/{len(mails)}", file=sys.stderr, flush=True)
        client.quit()

    threads = [threading.Thread(target=sender, args=(ports[k % len(ports)],))
               for k in range(max(connections, len(ports)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def cpu_seconds(procs: list[psutil.Process]) -> dict[str, float]:
    """CPU seconds (user + system) so far of the services' own processes, of their PDF
    readers, and of every PostgreSQL process on the machine (the server's share)."""
    def used(p: psutil.Process) -> float:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = p.cpu_times()
            return times.user + times.system
        return 0.0

    readers = [c for p in procs for c in p.children(recursive=True)]
    postgres = [p for p in psutil.process_iter(["name"])
                if (p.info["name"] or "").startswith("postgres")]
    return {"service": sum(map(used, procs)), "readers": sum(map(used, readers)),
            "postgresql": sum(map(used, postgres))}


def host_probe_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop (the median of five): how fast the
    host runs Python now, whatever the project's code. A shared host's speed drifts by a
    third within an hour, and a run's time follows it; runs of different hours (or of
    different code) compare fairly only at a like probe."""
    times = []
    for _ in range(5):
        start = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        times.append(1000 * (time.process_time() - start))
    return round(statistics.median(times), 1)


def rss_mb(proc: psutil.Process) -> float:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 2**20


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="mails to send (default 1000)")
    parser.add_argument("--rate", type=float, default=0, help="mails/s in total; 0 = flat out")
    parser.add_argument("--connections", type=int, default=4, help="SMTP sessions (default 4)")
    parser.add_argument("--distinct", type=int, default=30,
                        help="distinct payslips, each with its own employment (default 30)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--instances", type=counts, default=[1],
                        help="assistant run processes on one database, e.g. 2 or 1,2 "
                             "(more than one: PostgreSQL only)")
    parser.add_argument("--workers", type=counts, default=[0],
                        help="[inbox] workers (PDF readers) per instance, e.g. 2 or 1,2 "
                             "(default: the config's default)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the combinations this many times, interleaved, and compare "
                             "their medians (a shared machine's load drifts; default 1)")
    parser.add_argument("--backlog", action="store_true",
                        help="store every mail before the service starts, then time working "
                             "off the backlog (no SMTP client running beside it)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    if args.backlog and args.rate:
        parser.error("--backlog stores every mail at once; leave out --rate")
    if max(args.instances) > 1 and args.db != "postgresql":
        parser.error("several instances need --db postgresql (SQLite serves one instance)")

    results = []
    for round_ in range(args.rounds):
        for instances in args.instances:
            for workers in args.workers:
                print(f"== round {round_ + 1}: {instances} instance(s), "
                      f"{workers or 'default'} worker(s) each", file=sys.stderr, flush=True)
                with tempfile.TemporaryDirectory() as tmpdir:
                    tmp = Path(tmpdir)
                    url, drop = database(args.db, tmp)
                    try:
                        results.append(run(args, tmp, url, instances, workers))
                    finally:
                        drop()
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results))
        return
    for result in results:
        for key, value in result.items():
            print(f"{key:34} {value}")
        print()
    if len(results) > 1:
        print(comparison(results))


def counts(value: str) -> list[int]:
    """``2`` or ``1,2``: positive counts (0 for workers: the config's default)."""
    try:
        numbers = [int(v) for v in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number or a list like 1,2") \
            from None
    if any(n < 0 for n in numbers):
        raise argparse.ArgumentTypeError(f"{value!r}: counts cannot be negative")
    return numbers


def comparison(results: list[dict]) -> str:
    """One line per combination: the median of its rounds' mails/s and p99 (each round's
    mails/s in brackets), and the ratio of the medians to the first combination's."""
    combos: dict[tuple, list[dict]] = {}
    for r in results:
        combos.setdefault((r["instances"], r["workers"]), []).append(r)
    base = statistics.median(r["processed_per_second"] for r in next(iter(combos.values())))
    lines = ["instances  workers  processed/s  latency p99 s  ratio to first  rounds' mails/s"]
    for (instances, workers), runs in combos.items():
        rate = statistics.median(r["processed_per_second"] for r in runs)
        p99 = statistics.median(r["latency_p99_s"] for r in runs)
        each = ", ".join(str(r["processed_per_second"]) for r in runs)
        lines.append(f"{instances:>9}  {workers:>7}  {rate:>11.1f}  {p99:>13.2f}"
                     f"  {rate / base:>14.2f}x  [{each}]")
    return "\n".join(lines)


def start_service(tmp: Path, url: str, name: str, workers: int, distinct: int,
                  ) -> tuple[subprocess.Popen, int]:
    port = free_port()
    config = tmp / f"config-{name}.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[inbox.smtp]\nport = {port}\n'
                      + (f"[inbox]\nworkers = {workers}\n" if workers else "")
                      + f'[outbox]\ndirectory = "{tmp / "outbox"}"\n[logging]\nlevel = "WARNING"\n'
                      # ingest only: no reminders, no desk beside the mail
                      '[followup]\nenabled = false\n[web]\nenabled = false\n'
                      f'[jobcenter]\npool_hours_per_week = {pool_hours(distinct)}\n')
    service = subprocess.Popen(
        [sys.executable, "-c", "from assistant.cli import main; main()", "run", "--config",
         str(config)], stderr=subprocess.DEVNULL)
    return service, port


def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("assistant run did not start") from None
            time.sleep(0.1)


def run(args: argparse.Namespace, tmp: Path, url: str, instances: int = 1,
        workers: int = 0) -> dict:
    print(f"preparing {args.distinct} workplaces and payslips ...", file=sys.stderr)
    pdfs = prepare(url, args.distinct)
    mails = [mail(i, pdfs[i % len(pdfs)]) for i in range(args.n)]
    if args.backlog:
        store_backlog(url, mails)
    probe_before = host_probe_ms()
    started = [start_service(tmp, url, f"i{n}", workers, args.distinct)
               for n in range(instances)]
    services = [service for service, _ in started]
    ports = [port for _, port in started]
    # From the services' start: with a backlog they begin working before they listen.
    t0, t0_clock = time.perf_counter(), datetime.now(UTC)
    try:
        for port in ports:
            wait_listening(port)
        procs = [psutil.Process(service.pid) for service in services]
        cpu_start = cpu_seconds(procs)
        if not args.backlog:
            time.sleep(2)  # let the PDF readers start before the baseline RSS is taken
            t0, t0_clock = time.perf_counter(), datetime.now(UTC)
        rss_start = sum(rss_mb(proc) for proc in procs)
        samples: list[tuple[float, float]] = []  # (seconds since t0, RSS MB)
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1.0):
                samples.append((time.perf_counter() - t0, sum(rss_mb(p) for p in procs)))

        sampler = threading.Thread(target=sample)
        sampler.start()
        send_seconds = (0.0 if args.backlog
                        else send_all(ports, mails, args.connections, args.rate))
        engine = make_engine(url)
        wait_until_none(engine, "processing", "messages", select(func.count()).select_from(
            InboundMessage).where(InboundMessage.status == "received"))
        wait_until_none(engine, "delivering", "mails", select(func.count()).select_from(
            OutboundMessage).where(OutboundMessage.status == "pending"))
        # The times from the rows, not from the polls (2 s apart: 8 % of a 1,500-mail run).
        total_seconds, delivered_seconds = finished_seconds(engine, t0_clock)
        stop.set()
        sampler.join()
        cpu_used = {k: v - cpu_start.get(k, 0.0) for k, v in cpu_seconds(procs).items()}
        rss_end = sum(rss_mb(proc) for proc in procs)
        latencies, delivered, kinds = latency(engine)
        engine.dispose()
    finally:
        for service in services:
            service.terminate()
        for service in services:
            service.wait(timeout=60)
    probe_after = host_probe_ms()
    return {
        "db": args.db,
        "instances": instances,
        "workers": workers or "default",
        "mails": args.n,
        "rate_requested": args.rate or "flat out",
        "backlog": args.backlog,
        "accepted_per_second": round(args.n / send_seconds, 1) if send_seconds else None,
        "processed_per_second": round(args.n / total_seconds, 1),
        "total_seconds": round(total_seconds, 1),
        "latency_p50_s": round(percentile(latencies, 50), 3),
        "latency_p99_s": round(percentile(latencies, 99), 3),
        "all_mail_delivered_seconds": round(delivered_seconds, 1),
        "delivered_latency_p50_s": round(percentile(delivered, 50), 3),
        "delivered_latency_p99_s": round(percentile(delivered, 99), 3),
        "queued_mail_by_kind": kinds,
        # CPU per mail, from the start of the run until every mail was delivered.
        **{f"cpu_ms_per_mail_{k}": round(1000 * v / args.n, 1) for k, v in cpu_used.items()},
        "rss_start_mb": round(rss_start, 1),
        # Flat means: the last fifth of the run peaks no higher than the first fifth
        # (once every PDF reader has loaded pdfplumber and seen a few documents).
        "rss_peak_first_fifth_mb": round(fifth_peak(samples, total_seconds, first=True), 1),
        "rss_peak_last_fifth_mb": round(fifth_peak(samples, total_seconds, first=False), 1),
        "rss_peak_mb": round(max((m for _, m in samples), default=rss_end), 1),
        "rss_end_mb": round(rss_end, 1),
        # The host's speed just before the services started and just after they stopped
        # (host_probe_ms: lower is faster).
        "host_probe_ms_before_after": [probe_before, probe_after],
    }


def store_backlog(url: str, mails: list[bytes]) -> None:
    """Store every mail as received over SMTP (``Store.save_inbound``, as the SMTP
    server does) before any service runs."""
    engine = make_engine(url)
    store = Store(engine)
    for i, raw in enumerate(mails):
        store.save_inbound(raw, "smtp", "lon@firma.dk", ["jobcenter@kommune.example"])
        if (i + 1) % max(1, len(mails) // 10) == 0:
            print(f"  stored {i + 1}/{len(mails)}", file=sys.stderr, flush=True)
    engine.dispose()


def finished_seconds(engine, start: datetime) -> tuple[float, float]:  # noqa: ANN001
    """Seconds from ``start`` until the last message was processed, and until the last
    mail was delivered, as the service stamped them (the same clock)."""
    with session(engine) as db:
        processed = db.exec(select(func.max(InboundMessage.processed_at))).one()
        delivered = db.exec(select(func.max(OutboundMessage.sent_at))).one()
    return ((processed - start).total_seconds(),
            (max(delivered or processed, processed) - start).total_seconds())


def wait_until_none(engine, doing: str, what: str, count) -> None:  # noqa: ANN001
    """Poll ``count`` (a SELECT count) every 2 s until it is 0, showing progress."""
    while True:
        with session(engine) as db:
            left = db.exec(count).one()
        if left == 0:
            return
        print(f"  {doing}: {left} {what} left", file=sys.stderr, flush=True)
        time.sleep(2)


def fifth_peak(samples: list[tuple[float, float]], total: float, first: bool) -> float:
    if first:
        window = [m for t, m in samples if t <= total / 5]
    else:
        window = [m for t, m in samples if t >= total * 4 / 5]
    return max(window, default=float("nan"))


def latency(engine) -> tuple[list[float], list[float], dict[str, int]]:
    """Seconds from the stored message (SMTP accept) to its first mail queued in the
    outbox, and to its first mail delivered; the mails queued by kind."""
    with session(engine) as db:
        received = dict(db.exec(select(InboundMessage.id, InboundMessage.received_at)).all())
        queued: dict[int, float] = {}
        sent: dict[int, float] = {}
        kinds: dict[str, int] = {}
        for inbound_id, created, sent_at, kind in db.exec(select(
                OutboundMessage.inbound_id, OutboundMessage.created_at,
                OutboundMessage.sent_at, OutboundMessage.kind)):
            kinds[kind] = kinds.get(kind, 0) + 1
            if inbound_id is None:
                continue  # follow-up and other mail not caused by an inbound message
            seconds = (created - received[inbound_id]).total_seconds()
            queued[inbound_id] = min(queued.get(inbound_id, seconds), seconds)
            if sent_at is not None:
                seconds = (sent_at - received[inbound_id]).total_seconds()
                sent[inbound_id] = min(sent.get(inbound_id, seconds), seconds)
    return sorted(queued.values()), sorted(sent.values()), kinds


if __name__ == "__main__":
    main()
