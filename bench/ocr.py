"""Benchmark: OCR of scanned payslips, seconds per page and peak memory, on one core.

    .venv/bin/python bench/ocr.py --seeds 4 --dpi 200

Renders the fixture corpus (every layout x seeds) to 200 dpi PNG page scans (not
timed), pins this process and the Tesseract processes it starts to one core (CPU 0,
``OMP_THREAD_LIMIT=1``), then reads each page with ``parsers.payslip.read_document``.
Reports seconds per page (wall and CPU, p50/p95), the peak RSS of this process and of
the largest Tesseract process (sampled every 50 ms: a forked child's own ru_maxrss
counts the parent's pages it inherited before exec), and how many pages were read right
and verified.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"  # before Tesseract starts: one thread per page

from parsers.payslip import Payslip, read_document  # noqa: E402
from tests.fixtures.payslips import LAYOUTS, make_case  # noqa: E402
from tests.fixtures.scans import Scan, scan, truth_of  # noqa: E402
from tests.fixtures.truth import wrong_fields  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--cpu", type=int, default=0, help="the one core to run on")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})  # children (Tesseract) inherit it
    how = Scan(dpi=args.dpi, form="png")
    pages = [(layout, seed, scan(make_case(layout, seed), how)[0])
             for layout in LAYOUTS if layout != "english" for seed in range(args.seeds)]
    wall, cpu, right, verified = [], [], 0, 0
    peak = {"tesseract": 0}
    done = threading.Event()
    sampler = threading.Thread(target=_sample_children, args=(peak, done), daemon=True)
    sampler.start()
    for layout, seed, data in pages:
        before = _cpu()
        started = time.perf_counter()
        slip = read_document(data, "scan.png")
        wall.append(time.perf_counter() - started)
        cpu.append(_cpu() - before)
        if isinstance(slip, Payslip):
            right += not wrong_fields(truth_of(make_case(layout, seed)), slip)
            verified += slip.verified
    done.set()
    sampler.join()
    result = {
        "pages": len(pages), "dpi": args.dpi, "cores": 1,
        "wall_seconds_per_page": {"p50": round(statistics.median(wall), 2),
                                  "p95": round(percentile(wall, 0.95), 2)},
        "cpu_seconds_per_page": {"p50": round(statistics.median(cpu), 2),
                                 "p95": round(percentile(cpu, 0.95), 2)},
        "peak_rss_mb": {
            "reader_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "tesseract_process": round(peak["tesseract"] / 2**20)},
        "pages_all_fields_right": right, "pages_verified": verified,
    }
    print(json.dumps(result, indent=2))


def _sample_children(peak: dict[str, int], done: threading.Event) -> None:
    me = psutil.Process()
    while not done.wait(0.05):
        for child in me.children(recursive=True):
            try:
                if child.name() == "tesseract":
                    peak["tesseract"] = max(peak["tesseract"], child.memory_info().rss)
            except psutil.Error:
                pass  # it ended between the listing and the look


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
