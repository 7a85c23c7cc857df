"""Throughput and start-up benchmark (a script, not a test).

    .venv/bin/python benchmarks/bench.py [-n 100] [--formats md,txt,html,docx]

Generates N random but consistent reports per format with the writers (checker/writers) into a temporary
folder, then, pinned to one core and after a warm-up, times ``extract_path`` on each file (and the full check,
extract + rules, when the rule engine is present). Also times the CLI cold start: ``xxgk --version`` and
``python -c "import checker.cli"``, median of 10 fresh processes. Prints one table with the targets beside
the figures. Then the PDF reader (``pdf_reader``): read time per 5 pages in process, the cell read rate on the
export-like fixtures of tests/pdf_builder.py, and a whole ``xxgk check`` of each real PDF against the floor of
opening it with pypdfium2 and reading every char box (``--formats ""`` runs these alone), and a whole
``xxgk check`` of one Markdown report against a Python importing only yaml, lark, jinja2 and click.

Measured 2026-12-02 on the shared 2-core machine (load 2–3, CPU time best of 7–9), after the start-up work of
that day: Markdown cold start 0.135–0.145 s against 0.10 s for the libraries' imports, 1.31–1.43× (target 1.5×;
was 1.84–2.6×); the real PDFs 0.21–0.24 s against a 0.078–0.086 s floor, 2.69–2.88× (target 3×; was 3.2–3.7×);
under heavier load single runs ranged 2.66–3.15×. What did it: regex programs kept in the user cache
(checker/patterns.py: CPython builds a 65,536-entry bitmap for every CJK character class, ~60 ms a start),
YAML data and rule files parsed once per content and PyYAML not imported on a warm start (checker/yamldata.py),
compiled identities kept (cache.Memo), OpenCC's map cached and found without importlib.resources, tomllib and
the batch/annotate/serve commands imported only when used. Instruction counts (callgrind) of one Markdown
check: 1,257 M before, 719 M after, against 474 M for the libraries' imports. What is left is the libraries'
own imports (click, lark, pypdfium2), dataclass creation at import (~23 classes) and, for a PDF, the per-glyph
PDFium calls of the text layer (~25 ms for 6 pages). In process: 37–77 ms per 5 pages on the real PDFs;
every cell of every fixture read.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checker.extract import extract_path
from checker.writers import EXTENSIONS, FORMATS, ReportData, consistent_values, render

try:
    from checker.engine import check_report, load_rules
except ImportError:  # the rule engine is optional here
    check_report = load_rules = None  # type: ignore[assignment]

TARGET_MS = {"txt": 20.0, "md": 20.0, "html": 20.0, "docx": 60.0}
TARGET_VERSION_S = 0.3
AGENCIES = ("青河县人民政府", "青河县教育局", "青河县自然资源局", "青河县卫生健康委员会")


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def generate(folder: Path, fmt: str, n: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        edition = rng.choice(("2019", "2021"))
        year = rng.choice((2019, 2020)) if edition == "2019" else rng.randint(2021, 2024)
        # Text: no blanks and small counts, the shape the text lexer reads today (see tests/test_roundtrip.py).
        blank_rate, max_count = (0.0, 3) if fmt == "txt" else (0.2, 3000)
        values = consistent_values(edition, rng, blank_rate=blank_rate, max_count=max_count)
        data = ReportData(edition, year, rng.choice(AGENCIES), values)
        path = folder / f"{fmt}-{i:04d}{EXTENSIONS[fmt]}"
        path.write_bytes(render(data, fmt))
        paths.append(path)
    return paths


def time_per_file(paths: list[Path], run) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for path in paths:
        start = time.perf_counter()
        run(str(path))
        out.append(time.perf_counter() - start)
    return out


def cold_start(argv: list[str], runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100, help="reports per format (default 100)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, default all")
    parser.add_argument("--seed", type=int, default=20220101)
    parser.add_argument("--keep", metavar="DIR", help="write the generated reports here and keep them")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]

    pinned = pin_one_core()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rules = load_rules() if load_rules is not None else None
    rows = []
    try:
        for fmt in formats:
            paths = generate(folder, fmt, args.n, args.seed)
            for path in paths[:5]:  # warm-up: imports, grammar, vocabulary, rules
                report = extract_path(str(path))
                if rules is not None:
                    check_report(report, rules)
            extract = time_per_file(paths, extract_path)
            check = time_per_file(paths, lambda p: check_report(extract_path(p), rules)) if rules is not None else None
            rows.append((fmt, len(paths), extract, check))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    xxgk = Path(sys.executable).with_name("xxgk")
    version = cold_start([str(xxgk), "--version"]) if xxgk.exists() else None
    import_cli = cold_start([sys.executable, "-c", "import checker.cli"])

    print(f"xxgk benchmark: {args.n} reports per format, {pinned}, Python {sys.version.split()[0]}")
    print()
    header = f"{'format':<7}{'files':>6}{'files/s':>10}{'ms/file':>10}{'p95 ms':>9}{'target':>10}"
    if rules is not None:
        header += f"{'check ms/file':>15}  (extract + rules)"
    print(header)
    print("-" * len(header))
    for fmt, count, extract, check in rows:
        mean = statistics.fmean(extract)
        p95 = sorted(extract)[int(0.95 * (len(extract) - 1))]
        target = TARGET_MS[fmt]
        mark = "ok" if mean * 1000 < target else "SLOW"
        line = f"{fmt:<7}{count:>6}{1 / mean:>10.1f}{mean * 1000:>10.2f}{p95 * 1000:>9.2f}{f'<{target:.0f} {mark}':>10}"
        if check is not None:
            line += f"{statistics.fmean(check) * 1000:>15.2f}"
        print(line)
    print()
    if version is not None:
        mark = "ok" if version < TARGET_VERSION_S else "SLOW"
        print(f"xxgk --version                  {version:.3f} s  (median of 10; target < {TARGET_VERSION_S} s {mark})")
    else:
        print("xxgk --version                  (no xxgk script next to this Python)")
    print(f'python -c "import checker.cli"  {import_cli:.3f} s  (median of 10)')
    if rules is None:
        print("--check: checker.engine not available, not timed")
    real_pdfs(rules)
    pdf_reader()
    cold_check_markdown()
    narrative(rules)


def real_pdfs(rules) -> None:  # type: ignore[no-untyped-def]
    """The real PDF reports of ../shared/corpus (when present): check time per report, target < 0.25 s."""
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    pdfs = sorted(p for p in corpus.rglob("*.pdf") if "比对报告" not in p.name) if corpus.is_dir() else []
    if not pdfs or rules is None:
        return
    print()
    print(f"{'real PDF':<28}{'check ms (median of 5)':>24}   target < 250 ms")
    for path in pdfs:
        check_report(extract_path(str(path)), rules)  # warm-up
        times = time_per_file([path] * 5, lambda p: check_report(extract_path(p), rules))
        median = statistics.median(times) * 1000
        print(f"{path.name[:27]:<28}{median:>24.1f}   {'ok' if median < 250 else 'SLOW'}")


TARGET_PDF_MS_PER_5_PAGES = 100.0
TARGET_PDF_PROCESS_RATIO = 3.0
# The floor a PDF reader cannot go under: a fresh Python opens the file with pypdfium2 and reads every char box.
_PDFIUM_FLOOR = (
    "import sys, pypdfium2 as p\n"
    "pdf = p.PdfDocument(sys.argv[1])\n"
    "for page in pdf:\n"
    "    tp = page.get_textpage()\n"
    "    [tp.get_charbox(i) for i in range(tp.count_chars())]\n"
)


def pdf_reader() -> None:
    """The PDF reader (checker/readers/pdf): in-process read time per 5 pages, on the PDFs of tests/pdf_builder.py
    (exports of every shape: narrow wrapped headers, rows broken across pages, filled-rectangle borders...) and
    the real PDFs; their cell read rate; and a whole ``xxgk check`` process on each real PDF against the floor,
    a fresh Python opening it with pypdfium2 and reading every char box. Targets: ≤ 100 ms per 5 pages in
    process on one core, ≤ 3× the floor. CPU time (``time.process_time``), the best of 5: other processes on
    the core do not count."""
    from checker.readers.pdf import read

    tests = Path(__file__).resolve().parents[1] / "tests"
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    real = sorted(p for p in corpus.rglob("*.pdf") if "比对报告" not in p.name) if corpus.is_dir() else []
    fixtures: list[tuple[str, bytes, dict]] = []
    try:
        sys.path.insert(0, str(tests))
        import pdf_builder  # type: ignore[import-not-found]
        import test_reader_pdf_exports as exports  # type: ignore[import-not-found]

        for name, (lay, style) in exports.SCENARIOS.items():
            for edition in ("2019", "2021"):
                values = exports.values_for(edition, seed=len(name))
                fixtures.append((f"{name}-{edition}", pdf_builder.render_report(edition, values, lay, style), values))
    except ImportError:  # reportlab (a test dependency) missing: the real PDFs only
        print("\nPDF fixtures: reportlab not installed, not timed")

    def per_5_pages(data: bytes) -> tuple[float, int]:
        import pypdfium2

        pages = len(pypdfium2.PdfDocument(data))
        read(data, "bench.pdf")  # warm-up
        runs = []
        for _ in range(5):
            start = time.process_time()
            read(data, "bench.pdf")
            runs.append(time.process_time() - start)
        return min(runs) * 1000 / pages * 5, pages

    print()
    print(f"{'PDF (in process)':<36}{'pages':>6}{'ms per 5 pages':>16}   target ≤ {TARGET_PDF_MS_PER_5_PAGES:.0f} ms")
    rows = [(name, data) for name, data, _ in fixtures] + [(p.name, p.read_bytes()) for p in real]
    for name, data in rows:
        ms, pages = per_5_pages(data)
        mark = "ok" if ms <= TARGET_PDF_MS_PER_5_PAGES else "SLOW"
        print(f"{name[:35]:<36}{pages:>6}{ms:>16.1f}   {mark}")
    if fixtures:
        good = total = 0
        with tempfile.TemporaryDirectory() as folder:
            for name, data, values in fixtures:
                path = Path(folder) / f"{name}.pdf"
                path.write_bytes(data)
                got = {k: c.value.json() for k, c in extract_path(str(path)).cells.items()}
                want = exports.expected(values)
                good += sum(1 for k in want if got.get(k, "MISSING") == want[k])
                total += len(want)
        print(f"cells read right on the fixtures: {good}/{total} ({100 * good / total:.2f} %)")
    xxgk = Path(sys.executable).with_name("xxgk")
    if not real or not xxgk.exists():
        return
    print()
    print(f"{'PDF (whole process)':<36}{'xxgk check s':>13}{'pdfium floor s':>16}{'ratio':>7}   target ≤ 3×")
    for path in real:
        check = _best_process([str(xxgk), "check", "--fail-on", "never", str(path)])
        floor = _best_process([sys.executable, "-c", _PDFIUM_FLOOR, str(path)])
        ratio = check / floor
        mark = "ok" if ratio <= TARGET_PDF_PROCESS_RATIO else "SLOW"
        print(f"{path.name[:35]:<36}{check:>13.3f}{floor:>16.3f}{ratio:>7.2f}   {mark}")


def _best_process(argv: list[str], runs: int = 7) -> float:
    """CPU time (user + system) of a fresh process, the best of ``runs`` after a warm-up run. Bytecode is
    written and used (PYTHONDONTWRITEBYTECODE dropped), as in any installed copy: compiling every module again
    in each process is not the reader's cost. Where ``os.wait4`` exists the child's own rusage (microseconds)
    is read; elsewhere (Windows) ``os.times`` of the children, or the wall time where even that is zero."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return min(_process_cpu(argv, env) for _ in range(runs))


def _process_cpu(argv: list[str], env: dict[str, str]) -> float:
    if hasattr(os, "wait4"):
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait again
        if child.returncode < 0:  # killed: not a run to compare
            return float("inf")
        return usage.ru_utime + usage.ru_stime
    before, start = os.times(), time.perf_counter()
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    after, wall = os.times(), time.perf_counter() - start
    used = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return used or wall


TARGET_COLD_MD_RATIO = 1.5


def cold_check_markdown() -> None:
    """Issue 11: a whole ``xxgk check`` of one Markdown report against a Python that only imports the
    libraries it stands on (yaml, lark, jinja2, click). Target ≤ 1.5×. CPU time, best of 7."""
    xxgk = Path(sys.executable).with_name("xxgk")
    md = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "md" / "report_2019.md"
    if not xxgk.exists() or not md.exists():
        return
    check = _best_process([str(xxgk), "check", "--fail-on", "never", str(md)])
    floor = _best_process([sys.executable, "-c", "import yaml, lark, jinja2, click"])
    ratio = check / floor
    mark = "ok" if ratio <= TARGET_COLD_MD_RATIO else "SLOW"
    print()
    print(f"{'cold start (whole process)':<36}{'xxgk check s':>13}{'imports s':>16}{'ratio':>7}   target ≤ 1.5×")
    print(f"{md.name[:35]:<36}{check:>13.3f}{floor:>16.3f}{ratio:>7.2f}   {mark}")


NARRATIVE_RULES = {"C102", "C103", "C104", "C106", "C107", "C108", "C109"}
TARGET_NARRATIVE_MS = 2.0


def narrative(rules) -> None:  # type: ignore[no-untyped-def]
    """What the narrative checks (C102–C109: claim grammar + comparisons) add per report: every report of
    ../shared/corpus (when present) and a dense narrative of our own (12 sentences full of counts, far more
    than a real report states). Target ≤ 2 ms per report; the fastest of 9 runs, so that other processes on
    the core do not count."""
    if rules is None:
        return
    from checker.engine import report_from_example

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    suffixes = {".txt", ".md", ".html", ".pdf", ".docx"}
    # 比对报告: a peer tool's 18-page comparison print-out, not a report (real_pdfs leaves it out too).
    files = sorted(corpus.rglob("*")) if corpus.is_dir() else []
    paths = [p for p in files if p.suffix in suffixes and "比对报告" not in p.name]
    reports = [extract_path(str(p)) for p in paths]
    # Counts that agree with the tables (the usual case): every sentence is compared, none is reported.
    places = ("全区", "本机关", "区政府办公室", "本年度我区", "全年我局", "经统计", "截至年底", "本年")
    texts = {
        "一": [
            f"{p}共收到政府信息公开申请120件，办结118件，结转下年度2件；予以公开60件，占50%，无法提供58件。"
            for p in places
        ],
        "四": [f"{p}政府信息公开行政复议3件，其中结果维持2件，尚未审结1件，未被纠错。" for p in places[:4]],
    }
    cells = {
        "applications": {
            "received_new": {"natural_person": 120, "total": 120},
            "results.granted": {"natural_person": 60, "total": 60},
            "results.unavailable.not_held": {"natural_person": 58, "total": 58},
            "results.total": {"natural_person": 118, "total": 118},
            "carried_forward": {"natural_person": 2, "total": 2},
        },
        "review": {"review": {"upheld": 2, "pending": 1, "total": 3}},
    }
    dense = report_from_example({"texts": texts, "cells": cells})

    def cost(report) -> float:  # type: ignore[no-untyped-def]
        runs = []
        for _ in range(9):
            report.__dict__.pop("_narrative_claims", None)  # measure the claim extraction and table readings too
            report.__dict__.pop("_narrative_tables", None)
            start = time.perf_counter()
            check_report(report, rules, enabled=NARRATIVE_RULES)
            runs.append(time.perf_counter() - start)
        return min(runs) * 1000

    cost(dense)  # warm-up: the grammar is compiled once, on first use
    print()
    if reports:
        times = [cost(r) for r in reports]
        worst = max(range(len(times)), key=times.__getitem__)
        mark = "ok" if times[worst] <= TARGET_NARRATIVE_MS else "SLOW"
        print(
            f"narrative checks C102–C109: {statistics.fmean(times):.2f} ms/report mean over {len(times)} corpus "
            f"files, worst {times[worst]:.2f} ms ({paths[worst].name[:24]}); "
            f"target ≤ {TARGET_NARRATIVE_MS:.0f} ms {mark}"
        )
    print(f"narrative checks C102–C109: {cost(dense):.2f} ms for a dense 12-sentence narrative of our own")


if __name__ == "__main__":
    main()
