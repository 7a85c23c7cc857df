"""``xxgk serve`` latency and concurrency benchmark (a script, not a test).

    .venv/bin/python benchmarks/bench_serve.py [-n 10] [--workers 2]

Starts the real server on a free loopback port (history in a temporary folder), then times over HTTP:
the upload page; ``POST /check`` of the faulty Word draft (median of N, after a warm-up), ``POST /api/check``
of the same; N uploads sent at once (wall time against N times one, which shows the worker pool working in
parallel); and a 60 MB upload answered with 413. Targets beside the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from serve_helpers import get, running_server, upload  # noqa: E402

DRAFT = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx"


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    status = fn()
    assert status in (200, 413), status
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    data = DRAFT.read_bytes()
    files = [(DRAFT.name, data)]
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp), "--workers", str(args.workers)) as s:
        check = lambda: upload(s.url + "/check", files)[0]  # noqa: E731
        check()  # warm-up: the workers have imported everything and loaded the rules
        page = statistics.median(_timed(lambda: get(s.url + "/")[0]) for _ in range(args.n))
        one = statistics.median(_timed(check) for _ in range(args.n))
        api = statistics.median(_timed(lambda: upload(s.url + "/api/check", files)[0]) for _ in range(args.n))
        with ThreadPoolExecutor(args.n) as pool:
            start = time.perf_counter()
            statuses = list(pool.map(lambda _: check(), range(args.n)))
            together = time.perf_counter() - start
        assert set(statuses) == {200}
        big = _timed(lambda: upload(s.url + "/check", [("big.pdf", b"0" * (60 * 1024 * 1024))])[0])
    rows = [
        ("GET / (median)", f"{page * 1000:.0f} ms", "< 100 ms"),
        ("POST /check, faulty docx (median)", f"{one * 1000:.0f} ms", "< 2 s"),
        ("POST /api/check, faulty docx (median)", f"{api * 1000:.0f} ms", "< 2 s"),
        (
            f"{args.n} uploads at once, {args.workers} workers",
            f"{together:.2f} s",
            f"< {args.n * one:.2f} s (one by one)",
        ),
        ("60 MB upload -> 413", f"{big:.2f} s", "< 5 s"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, got, target in rows:
        print(f"{name:<{width}}  {got:>10}  target {target}")


if __name__ == "__main__":
    main()
