"""Benchmark: the reading stage alone, with 1 and 2 (or more) guarded reader processes.

    .venv/bin/python bench/readers.py --n 2000 --workers 1,2 --rounds 2

Reads the same claim mails (MIME, then each payslip PDF) through the service's
``ReaderPool`` of ``GuardedReader`` worker processes, with two threads per reader as
``assistant run`` has, and nothing else: no database, no judging, no outbox. Reports
mails/s per worker count and the ratio to the first, alternating the counts over the
rounds so drift on the machine falls on both. It answers whether the readers use every
core; ``bench/ingest.py --workers`` answers what the whole service gains from them.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import PROCESSORS_PER_READER, available_cores  # noqa: E402
from assistant.pdf_reader import GuardedReader, ReaderPool  # noqa: E402
from parsers.email import MailLimits  # noqa: E402
from parsers.payslip import Payslip  # noqa: E402
from tests.fixtures.payslips import LAYOUTS, make_case, render  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import counts, cpu_seconds, mail  # noqa: E402


def read_all(pool: ReaderPool, mails: list[bytes], threads: int) -> float:
    """Seconds to read every mail with ``threads`` threads sharing ``pool``."""
    todo = iter(range(len(mails)))
    lock = threading.Lock()
    wrong: list[int] = []

    def work() -> None:
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            read = pool.read_mail(mails[i], MailLimits())
            if not (read.pdfs and isinstance(read.pdfs[0].result, Payslip)):
                wrong.append(i)

    started = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    if wrong:
        raise SystemExit(f"{len(wrong)} mails were not read as payslips (first: {wrong[0]})")
    return time.perf_counter() - started


def readers_cpu_seconds() -> float:
    """CPU time used so far by the reader processes (this process's children)."""
    return cpu_seconds([psutil.Process()])["readers"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="mails read per run (default 1000)")
    parser.add_argument("--workers", default="1,2", type=counts,
                        help="reader processes, a list to compare (default 1,2; 0: one per "
                             "core, as assistant run)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="times each worker count runs, alternated (default 2)")
    args = parser.parse_args()
    # 0 is the service's default: one reader per core.
    worker_counts = [w or available_cores() for w in args.workers]

    print(f"generating {args.n} claim mails ...", file=sys.stderr)
    mails = [mail(i, render(make_case(LAYOUTS[i % len(LAYOUTS)], 500 + i)))
             for i in range(args.n)]
    rates: dict[int, list[float]] = {w: [] for w in worker_counts}
    cpu_ms: dict[int, list[float]] = {w: [] for w in worker_counts}
    for round_ in range(1, args.rounds + 1):
        for workers in worker_counts:
            pool = ReaderPool([GuardedReader() for _ in range(workers)])
            try:
                read_all(pool, mails[: 10 * workers], workers)  # start and warm the readers
                cpu = readers_cpu_seconds()
                seconds = read_all(pool, mails, workers * PROCESSORS_PER_READER)
                cpu = readers_cpu_seconds() - cpu
            finally:
                pool.close()
            rates[workers].append(args.n / seconds)
            cpu_ms[workers].append(cpu / args.n * 1000)
            print(f"  round {round_}: {workers} reader(s) {args.n / seconds:7.1f} mails/s, "
                  f"{cpu / args.n * 1000:.2f} ms of reader CPU a mail", file=sys.stderr, flush=True)
    base = sum(rates[worker_counts[0]]) / args.rounds
    print(f"{'readers':>8} {'mails/s (each round)':>28} {'mean':>8} {'ratio':>6} "
          f"{'CPU ms/mail':>12}")
    for workers in worker_counts:
        mean = sum(rates[workers]) / args.rounds
        each = " ".join(f"{r:.1f}" for r in rates[workers])
        cpu = sum(cpu_ms[workers]) / args.rounds
        print(f"{workers:>8} {each:>28} {mean:8.1f} {mean / base:5.2f}x {cpu:12.2f}")


if __name__ == "__main__":
    main()
