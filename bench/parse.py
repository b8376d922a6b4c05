"""Benchmark: payslip reading speed against pdfplumber's bare extract_words.

    .venv/bin/python bench/parse.py --n 5000

Generates a corpus of payslips in every fixture layout (not timed), then reads the
same documents twice in this process: once with pdfplumber's bare
``extract_words`` (the baseline: the least any word-based reader must do) and once
with ``parsers.payslip.read``. Reports payslips/second, the ratio of the two, and
RSS before/after so memory growth over many documents shows.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import resource
import sys
import time
from pathlib import Path

import pdfplumber
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parsers.payslip import Payslip, read  # noqa: E402
from tests.fixtures.payslips import corpus, render  # noqa: E402


def bare_extract_words(data: bytes) -> int:
    words = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words += len(page.extract_words(x_tolerance=1.5, y_tolerance=2.5))
            page.close()
    return words


def timed(label: str, docs: list[bytes], fn) -> float:
    start = time.perf_counter()
    step = max(1, len(docs) // 10)
    for i, doc in enumerate(docs, 1):
        fn(doc)
        if i % step == 0:
            print(f"  {label}: {i}/{len(docs)}", file=sys.stderr, flush=True)
    return time.perf_counter() - start


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="documents to read (default 1000)")
    parser.add_argument("--distinct", type=int, default=40,
                        help="distinct payslips generated and cycled through (default 40)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    print(f"generating {args.distinct} payslips ...", file=sys.stderr)
    cases = corpus(args.distinct, seed=7)
    pdfs = [render(c) for c in cases]
    docs = [pdfs[i % len(pdfs)] for i in range(args.n)]
    pages = sum(len(pdfplumber.open(io.BytesIO(p)).pages) for p in pdfs) / len(pdfs)

    # Warm up both paths (imports, font caches) before measuring anything.
    for doc in pdfs:
        bare_extract_words(doc)
        assert isinstance(read(doc), Payslip)
    gc.collect()
    rss_start = rss_mb()

    bare = timed("extract_words", docs, bare_extract_words)
    gc.collect()
    rss_after_bare = rss_mb()
    ours = timed("payslip.read", docs, read)
    gc.collect()
    rss_end = rss_mb()

    result = {
        "documents": args.n,
        "distinct": len(pdfs),
        "mean_pages": round(pages, 2),
        "payslips_per_second": round(args.n / ours, 1),
        "extract_words_per_second": round(args.n / bare, 1),
        "ratio_read_to_extract_words": round(ours / bare, 3),
        "rss_start_mb": round(rss_start, 1),
        "rss_after_extract_words_mb": round(rss_after_bare, 1),
        "rss_end_mb": round(rss_end, 1),
        "rss_growth_during_read_mb": round(rss_end - rss_after_bare, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
