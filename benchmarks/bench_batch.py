"""Batch throughput benchmark (a script, not a test).

    .venv/bin/python benchmarks/bench_batch.py [-n 200] [--jobs 1,2] [--formats md,txt,html,docx]

Generates N random but consistent reports (several agencies over several years, mixed formats) with the
writers, then times ``run_batch`` end to end (hashing, checking in worker processes, cross-report rules and
every output: findings.jsonl, summaries, the dashboard and one page per report) with a fresh store for each
``--jobs`` value, and once more with the store warm (nothing to check again: the cost of a rerun). Prints
reports per second.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from checker.batch import run_batch
from checker.writers import EXTENSIONS, ReportData, consistent_values, render

COUNTIES = ("青河县", "白水县", "东山区", "西岭县", "南湖区")
OFFICES = ("教育局", "财政局", "交通运输局", "卫生健康委员会", "自然资源局", "民政局", "司法局", "文化和旅游局")
_CHARS = "的是在不了有和人这大为上个国我以要他时来用们生到作地于出就分对成会可主发动同工也能下过子说产种面而方后多定"


def generate(folder: Path, n: int, formats: list[str], seed: int) -> list[Path]:
    rng = random.Random(seed)
    agencies = [c + o for c in COUNTIES for o in OFFICES]
    paths = []
    for i in range(n):
        agency = agencies[i % len(agencies)]
        year = 2021 + (i // len(agencies)) % 4
        values = consistent_values("2021", rng, max_count=3)
        texts = {s: ["".join(rng.choice(_CHARS) for _ in range(200)) + "。"] for s in ("一", "五")}
        fmt = formats[i % len(formats)]
        data = ReportData("2021", year, agency, values, paragraphs=texts)
        path = folder / f"{i:04d}-{year}-{agency}{EXTENSIONS[fmt]}"
        path.write_bytes(render(data, fmt))
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="reports (default 200)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to time (default 1,2)")
    parser.add_argument("--formats", default="md,txt,html,docx")
    parser.add_argument("--seed", type=int, default=20240101)
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    jobs_list = [int(j) for j in args.jobs.split(",") if j]

    root = Path(tempfile.mkdtemp(prefix="xxgk-bench-batch-"))
    try:
        reports = root / "reports"
        reports.mkdir()
        generate(reports, args.n, formats, args.seed)
        rows = []
        for jobs in jobs_list:
            out = root / f"out-{jobs}"
            start = time.perf_counter()
            result = run_batch([str(reports)], out, jobs=jobs)
            cold = time.perf_counter() - start
            start = time.perf_counter()
            again = run_batch([str(reports)], out, jobs=jobs)
            warm = time.perf_counter() - start
            assert again.checked == 0
            rows.append((jobs, result.files, cold, warm, result.cross))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"xxgk batch benchmark: {args.n} reports ({', '.join(formats)}), {cpus} CPUs, Python {sys.version.split()[0]}"
    )
    print()
    header = f"{'jobs':>5}{'reports':>9}{'seconds':>10}{'reports/s':>11}{'rerun s':>9}{'rerun reports/s':>17}"
    print(header)
    print("-" * len(header))
    for jobs, files, cold, warm, _cross in rows:
        print(f"{jobs:>5}{files:>9}{cold:>10.2f}{files / cold:>11.1f}{warm:>9.2f}{files / warm:>17.1f}")
    print()
    print("seconds: end to end with a fresh store (check every file, X rules, all outputs);")
    print("rerun: the same batch again, every file taken from the store (outputs are still rewritten).")


if __name__ == "__main__":
    main()
