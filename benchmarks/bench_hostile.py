"""Hostile-input benchmark (a script, not a test): peak memory and time of ``xxgk check`` on crafted files.

    .venv/bin/python benchmarks/bench_hostile.py

Builds, in a temporary folder, a zip whose headers declare 1,000 bytes for a member inflating to 1 GiB, a
DOCX of 8,000 rows each spanning 1,000 grid columns, and 4 MB of repeated table rows (text and Markdown);
checks each in a fresh process and prints its peak resident memory and wall time. Goal: every input answered
within 1 GiB (POSIX only: peak memory comes from ``resource``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile_input import _PROBE, gridspan_docx, lying_zip  # noqa: E402

GOAL = 1 << 30


def repeated(path: Path, markdown: bool) -> None:
    source = ROOT / "examples" / ("2022-qinghe-county.md" if markdown else "2022-qinghe-county.txt")
    text = source.read_text(encoding="utf-8")
    if markdown:
        rows = "".join(line + "\n" for line in text.splitlines() if line.startswith("|"))
    else:
        start = text.index("三、收到和处理")
        rows = "\n".join(line for line in text[start : text.index("四、", start)].splitlines() if line) + "\n"
    path.write_text(text + rows * (4 * 1024 * 1024 // len(rows.encode())), encoding="utf-8")


def main() -> None:
    import json

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {
            "zip declaring 1,000 B for 1 GiB": (folder / "bomb.docx", lambda p: lying_zip(p)),
            "DOCX 8,000 rows x gridSpan 1000": (folder / "spans.docx", lambda p: gridspan_docx(p)),
            "4 MB repeated rows (.txt)": (folder / "rows.txt", lambda p: repeated(p, False)),
            "4 MB repeated rows (.md)": (folder / "rows.md", lambda p: repeated(p, True)),
        }
        print(f"{'input':<34} {'size':>9} {'peak MB':>8} {'seconds':>8}  goal < {GOAL >> 20} MB")
        for name, (path, make) in cases.items():
            make(path)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _PROBE, "check", "--format", "json", str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            seconds = time.perf_counter() - start
            peak = json.loads(done.stdout.strip().splitlines()[-1])["peak"]
            mark = "ok" if peak < GOAL else "OVER"
            size = path.stat().st_size
            print(f"{name:<34} {size / 1024:>7.0f}KB {peak / (1 << 20):>8.0f} {seconds:>8.1f}  {mark}")


if __name__ == "__main__":
    main()
