"""Batch benchmark (a script, not a test).

    .venv/bin/python benchmarks/bench_batch.py [--sizes 250,1000,4000] [--jobs 2] [--formats md,txt,html,docx]

For each size N: generates N random but consistent reports (each agency over five years, mixed formats) with
the writers, then, in a fresh process (so that its peak memory is its own), times ``run_batch`` end to end:

* **first run**: a fresh store; hashing, checking in ``--jobs`` worker processes, cross-report rules and every
  output (findings.jsonl, spreadsheets, aggregate, dashboard, one page per report): reports per second and the
  peak resident memory of the batch's own (parent) process, which must stay flat as N grows;
* **rerun**: the same folder again, unchanged: nothing is checked and nothing is rendered again (target:
  at most 10 % of the first run);
* **ten more**: ten new reports added to the reviewed folder: only they are checked, and only their pages (and
  the pages whose cross-year findings they change) and the summaries are rendered.

Peak memory is the measuring process's own high-water mark (``VmHWM`` on Linux, ``ru_maxrss`` on macOS); elsewhere
it is not reported.

Measured (2 shared cores, ``--formats md,txt``; every report has cross-year findings, the values being random).
Before the parent streamed (findings and the cells the cross-year rules read held for every report):

    reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s  +10 checked  +10 pages
        250     21.4       11.7       46     0.42     2.0%    3.18           10         10
       1000     92.1       10.9       66     1.43     1.6%   11.93           10         10
       4000    198.7       20.1      151     5.19     2.6%   19.69           10         10   (an earlier day)

Now (in memory a slim record per report: who, which year, which format, counts; findings, cells and texts are
read back from the store in passes, the X rules go one agency at a time and X103's texts and MinHash bands sit
in a temporary on-disk database; the dashboard is written piece by piece):

    reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s  +10 checked  +10 pages
        250     18.0       13.9       43     0.48     2.7%    3.38           10         10
       1000     68.2       14.7       49     2.12     3.1%   13.98           10         10
       4000    290.0       13.8       67     6.59     2.3%   38.36           10         10

Peak memory grew by about 6 KB per report (was 28). Measured in-process (tracemalloc, the process's RSS and
SQLite's own ``sqlite3_memory_used`` after checking, after the items, after the pages pass, at the end): Python
objects were only ~11 MB at 1,000 reports; SQLite stays under 5 MB (the default 2 MB page cache of the store and
of its temporary tables, bounded); what grew with the count was (1) each item's ``__dict__``: the cached whole
record and findings were added to it and popped again, which turns CPython's shared-key instance dict into a
private one of ~770 B for good; (2) the slim record as a dict, ~2.4 KB; (3) the task list and the folder walk,
held to the end; (4) ``Path(p).name`` of every page kept in a set, interning each name; (5) the render keys'
listing and the manifest built as whole strings, every earlier run's fingerprints read at once. Now the item
keeps what it reads back in fields it was made with, the slim record is a compact read-only mapping (~0.3 KB:
shared keys, hash as bytes, agency/format/sections shared), counts are shared tuples, the tasks go once
answered, keys and manifest are hashed/written as they are encoded, progress is compared per agency-year.
Same outputs byte for byte (findings.jsonl, CSVs, aggregate, index and every page; xlsx by cell values).

Before and after on the same machine and load, one after the other (``--formats md,txt``):

    before (119930f, 6 KB/report)  reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s
                                       250      5.9       42.4       42     0.15     2.6%    1.03
                                      1000     20.1       49.7       48     0.55     2.7%    3.42
                                      4000     84.6       47.3       66     3.34     3.9%   15.20
    after                          reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s
                                       250      4.3       58.2       41     0.16     3.7%    0.93
                                      1000     16.7       59.7       44     0.55     3.3%    3.34
                                      4000     70.3       56.9       52     2.35     3.3%   13.32

(+10 checked and +10 pages were 10 and 10 in every row; the machine was less loaded than for the tables above,
hence the faster runs.)

Peak memory then grew by about 2.7 KB per report from 1,000 to 4,000 (was 6): the per-report list itself (path,
slim record, Item with counts, page name, render key), the file list and pending tasks, and the aggregate's paths.

Now the list of reports is the store's ``review`` table (``checker/batch/ledger.py``): the folder walk streams into
it (a file met twice is found there), workers take their tasks from it a chunk at a time, and every later step
(duplicates, X rules grouped by agency, findings, progress, page keys, sheets, dashboard, letters, the aggregate's
members) is a pass over its rows, 256 at a time; aggregate.json is written as it is encoded; each SQLite
connection's page cache (main and temporary schema) is 512 KiB. Same outputs byte for byte (the render manifest is
now a line per page). On the same machine, one run after the other:

    65206cf           reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s  +10 checked  +10 pages
                          250      7.0       35.6       40     0.35     4.9%    1.26           10         10
                         1000     25.4       39.3       42     1.26     5.0%    4.89           10         10
                         4000     90.6       44.2       45     4.32     4.8%   18.77           10         10
    (65206cf: the ledger, the aggregate's members still in memory; 4712b6c measured 41 / 44 / 52 MB above;
    5e99816: the aggregate's members in the ledger)
    5e99816           reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s  +10 checked  +10 pages
                          250      5.8       43.4       40     0.24     4.2%    1.29           10         10
                         1000     26.0       38.5       40     1.15     4.4%    4.54           10         10
                         4000     78.5       50.9       42     3.36     4.3%   15.30           10         10
    660cf58           reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s  +10 checked  +10 pages
                          250      5.5       45.1       40     0.22     4.0%    1.43           10         10
                         1000     22.0       45.4       40     1.14     5.2%    4.43           10         10
                         4000     95.3       42.0       41     4.40     4.6%   17.48           10         10
    now               reports  first s  reports/s  peak MB  rerun s  rerun %   +10 s  +10 checked  +10 pages
                          250      7.3       34.5       40     0.34     4.7%    1.57           10         10
                         1000     24.5       40.8       40     0.89     3.6%    4.43           10         10
                         4000     90.1       44.4       40     3.57     4.0%   17.00           10         10
    (660cf58: the earlier years' extractions queried without the batch's own reports, X103's bands grouped from
    an index, stale pages found with os.scandir; now: duplicates and stored results found by EXISTS lookups in
    the indexes, no list of every hash built by SQLite. First-run times vary ±20 % with the machine's load; the
    parent's memory does not.)

In-process (tracemalloc, RSS, and SQLite's ``sqlite3_memory_used``/high-water): no Python object is kept per
report at any phase, and SQLite's high-water stays at about 2 MB (it was 2.1 MB at 250 reports and 5.4 MB at
16,000 while the earlier years were sorted with the batch's own reports). A first run over 16,000 reports
(``run_batch`` in one process, ``--jobs 2``, at 660cf58): peak 40 MB, SQLite high-water 2.05 MB — as at 250.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTIES = ("青河县", "白水县", "东山区", "西岭县", "南湖区")
OFFICES = ("教育局", "财政局", "交通运输局", "卫生健康委员会", "自然资源局", "民政局", "司法局", "文化和旅游局")
_CHARS = "的是在不了有和人这大为上个国我以要他时来用们生到作地于出就分对成会可主发动同工也能下过子说产种面而方后多定"


def generate(folder: Path, start: int, n: int, formats: list[str], seed: int) -> None:
    from checker.writers import EXTENSIONS, ReportData, consistent_values, render

    rng = random.Random(seed + start)
    cities = [a + b + "市" for a in "甲乙丙丁戊己庚辛壬癸" for b in "子丑寅卯辰巳午未申酉戌亥"]
    agencies = [city + c + o for city in cities for c in COUNTIES for o in OFFICES]
    for i in range(start, start + n):
        agency = agencies[i // 5]  # five years (2021-2025) of each agency: cross-year checks, no duplicates
        year = 2021 + i % 5
        values = consistent_values("2021", rng, max_count=3)
        texts = {s: ["".join(rng.choice(_CHARS) for _ in range(200)) + "。"] for s in ("一", "五")}
        fmt = formats[i % len(formats)]
        data = ReportData("2021", year, agency, values, paragraphs=texts)
        (folder / f"{i:05d}-{year}-{agency}{EXTENSIONS[fmt]}").write_bytes(render(data, fmt))


def peak_mb() -> float | None:
    try:  # Linux: ru_maxrss survives exec (a child of a big process starts "big"); VmHWM is this image's own
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def measure(reports: Path, out: Path, jobs: int, formats: list[str], seed: int) -> dict:
    """Runs in its own process: first run, rerun, ten more files."""
    from checker.batch import run_batch

    n = len(list(reports.iterdir()))
    start = time.perf_counter()
    first = run_batch([str(reports)], out, jobs=jobs)
    first_s = time.perf_counter() - start
    first_peak = peak_mb()
    start = time.perf_counter()
    rerun = run_batch([str(reports)], out, jobs=jobs)
    rerun_s = time.perf_counter() - start
    if rerun.checked:  # the rules or grammar changed between the two runs (someone is editing them)
        sys.exit(f"rerun checked {rerun.checked} files again: rule files changed during the benchmark")
    generate(reports, n, 10, formats, seed)
    start = time.perf_counter()
    more = run_batch([str(reports)], out, jobs=jobs)
    more_s = time.perf_counter() - start
    return {
        "n": first.files,
        "first_s": first_s,
        "peak_mb": first_peak,
        "rerun_s": rerun_s,
        "rerun_rendered": rerun.rendered,
        "more_s": more_s,
        "more_checked": more.checked,
        "more_rendered": more.rendered,
        "peak_mb_all": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250,1000,4000", help="report counts (default 250,1000,4000)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--formats", default="md,txt,html,docx")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--measure", nargs=2, metavar=("REPORTS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), Path(args.measure[1]), args.jobs, formats, args.seed)))
        return

    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        root = Path(tempfile.mkdtemp(prefix="xxgk-bench-batch-"))
        try:
            reports = root / "reports"
            reports.mkdir()
            generate(reports, 0, size, formats, args.seed)
            proc = subprocess.run(
                [sys.executable, __file__, "--jobs", str(args.jobs), "--formats", args.formats,
                 "--seed", str(args.seed), "--measure", str(reports), str(root / "out")],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if proc.returncode:
                sys.exit(proc.stderr[-3000:])
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        finally:
            shutil.rmtree(root, ignore_errors=True)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"xxgk batch benchmark: --jobs {args.jobs}, {', '.join(formats)}, {cpus} CPUs, Python {sys.version.split()[0]}"
    )
    print()
    header = (
        f"{'reports':>8}{'first s':>9}{'reports/s':>11}{'peak MB':>9}"
        f"{'rerun s':>9}{'rerun %':>9}{'+10 s':>8}{'+10 checked':>13}{'+10 pages':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        peak = f"{r['peak_mb']:.0f}" if r["peak_mb"] is not None else "—"
        print(
            f"{r['n']:>8}{r['first_s']:>9.1f}{r['n'] / r['first_s']:>11.1f}{peak:>9}"
            f"{r['rerun_s']:>9.2f}{100 * r['rerun_s'] / r['first_s']:>8.1f}%"
            f"{r['more_s']:>8.2f}{r['more_checked']:>13}{r['more_rendered']:>11}"
        )
    print()
    print("first: fresh store, every file checked, every output written; peak MB: the batch process itself.")
    print("rerun: the same folder again (nothing checked, nothing rendered); +10: ten new reports added.")


if __name__ == "__main__":
    main()
