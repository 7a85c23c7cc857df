"""OCR benchmark (a script, not a test): scanned reports read by ``checker.readers.ocr``.

    .venv/bin/python benchmarks/bench_ocr.py [--cores 1]

Builds the test fixtures' scans (tests/ocr_builder.py: our reports printed with a CJK font, turned, blurred,
stamped, JPEG-compressed, image-only PDFs) for both editions, and a 6-page report (the 2-page report and four
pages of prose, the shape of a real one). Pinned to ``--cores`` cores (ONNX Runtime given as many threads),
after loading the engine once, it times ``extract_path`` + the rules per file and prints seconds per page, the
6-page total against batch's default per-file timeout, and the cell read rate.

Measured (2026-12-02, a 2-core machine shared with other sessions, pinned to one core, one ONNX Runtime
thread; ``uptime`` load average 1.2-1.6 during the run): table pages 4.4-5.2 s each, the 6-page scan 34.1 s
against the 120 s default (33.3 s at load 2.4-3.1, 39.2 s at load 3-4, 74 s at load ~5), every cell right
(198/198, 200/200, 200/200).
Before (load ~4.5): 15-18 s per table page, the 6-page scan 97-129 s.

What changed: recognition runs one line per ONNX Runtime call (``rec_batch_num=1``). In batches of six every
line is padded to the widest of its batch and the CPU kernels run slower per line: on 154 lines of a table
page and a prose page, 38 s -> 10 s (idle core); on the 6-page scan at load ~5, recognition 77.5 s -> 50.9 s.
Tried and left out because a cell or heading was read worse: detection on a reduced copy (0.6: a row label
lost on one fixture, 7 cells; 0.75: headings misplaced, S202), detection on the inked part of the page only
(48-pixel margin: a header misread; 200 pixels: no measurable gain). What is left per page: detection ~2 s
(the whole page at 180 dpi), recognition ~1 s per 100 characters (prose pages cost the most). The run-to-run
spread here is the machine's load, not the reader.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def prose_pages(count: int, font: str) -> bytes:
    import pdf_builder as pb
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(pb.PAGE_W, pb.PAGE_H))
    line = "本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开，做好政策解读与回应。"
    for _ in range(count):
        c.setFont(font, 12)
        y = pb.PAGE_H - 80
        while y > 80:
            c.drawString(60, y, line[:38])
            y -= 22
        c.showPage()
    c.save()
    return buf.getvalue()


def joined(*pdfs: bytes) -> bytes:
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for data in pdfs:
        src = pdfium.PdfDocument(data)
        out.import_pages(src)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cores", type=int, default=1)
    args = parser.parse_args()
    os.environ["XXGK_OCR_THREADS"] = str(args.cores)
    pinned = "not pinned"
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[: args.cores]
        os.sched_setaffinity(0, set(cpus))
        pinned = f"pinned to cpu {cpus}"

    import ocr_builder as ob

    from checker.engine import check_report, load_rules
    from checker.extract import extract_path
    from checker.readers.ocr import available
    from checker.readers.ocr.engine import _engine
    from checker.writers import consistent_values

    if not available() or ob.cjk_font() is None:
        sys.exit("needs the OCR extra (pip install 'xxgk[ocr]') and a CJK font")
    import inspect

    from checker.batch import run_batch

    timeout = inspect.signature(run_batch).parameters["timeout"].default  # batch's default per-file budget
    rules = load_rules()
    t = time.perf_counter()
    _engine()
    load = time.perf_counter() - t
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-ocr-bench-"))
    rows = []
    for edition in ("2019", "2021"):
        values = consistent_values(edition, random.Random(int(edition) + 3), blank_rate=0.2)
        printed = ob.printed_report(edition, values)
        files = {f"report-{edition}": (ob.scan(printed, seed=int(edition)), values)}
        if edition == "2021":
            six = joined(printed, prose_pages(4, ob.cjk_font()))
            files["six-pages-2021"] = (ob.scan(six, seed=6), values)
        for name, (data, vals) in files.items():
            path = tmp / f"{name}.pdf"
            path.write_bytes(data)
            t = time.perf_counter()
            report = extract_path(str(path))
            check_report(report, rules)
            seconds = time.perf_counter() - t
            import pypdfium2 as pdfium

            n = len(pdfium.PdfDocument(data))
            want = {
                p: (float(v) if isinstance(v, Decimal) and v.as_tuple().exponent < 0 else v) for p, v in vals.items()
            }
            got = {p: c.value.json() for p, c in report.cells.items()}
            right = sum(1 for p in want if got.get(p, "MISSING") == (None if want[p] is None else want[p]))
            rows.append((name, n, seconds, right, len(want)))
    print(f"OCR benchmark, {pinned}, {args.cores} ONNX Runtime thread(s); engine load {load:.2f} s")
    print(f"{'file':<18}{'pages':>6}{'seconds':>9}{'s/page':>8}{'cells right':>14}")
    for name, n, seconds, right, total in rows:
        print(f"{name:<18}{n:>6}{seconds:>9.1f}{seconds / n:>8.1f}{right:>8}/{total}")
    six = next(r for r in rows if r[0].startswith("six"))
    verdict = "under" if timeout is None or six[2] < timeout else "OVER"
    print(f"6-page report: {six[2]:.1f} s, {verdict} batch's default per-file timeout ({timeout} s)")


if __name__ == "__main__":
    main()
