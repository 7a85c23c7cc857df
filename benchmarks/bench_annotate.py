"""Annotate benchmark (a script, not a test).

    .venv/bin/python benchmarks/bench_annotate.py [--repeat 20]

Times ``annotate_file`` (read, check, write the comments, save) on drafts of growing numbers of findings: the
faulty example (a few comments), the 2021 template filled with random consistent values and some cells
broken, and the blank template (every cell blank). Reports milliseconds per draft (median) and comments per
draft, and the share of the time spent on the comments themselves (the rest is what ``check`` spends anyway).
Goal: an annotated copy in well under a second for any real draft, so that the web page can return it at once.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def drafts(folder: Path) -> list[tuple[str, Path]]:
    from checker.cli import template_data
    from checker.writers import cell_paths, consistent_values, render

    out = [("faulty example", ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx")]
    rng = random.Random(7)
    for broken in (10, 40):
        values = consistent_values("2021", rng)
        for path in rng.sample(sorted(cell_paths("2021")), broken):
            values[path] = None if rng.random() < 0.5 else (values[path] or 0) + rng.randint(1, 9)
        path = folder / f"broken-{broken}.docx"
        path.write_bytes(render(template_data("2021", values), "docx"))
        out.append((f"template, {broken} cells broken", path))
    blank = folder / "blank.docx"
    blank.write_bytes(render(template_data("2021"), "docx"))
    out.append(("blank template", blank))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from checker.annotate.core import annotate_file
    from checker.engine import check_report, load_rules
    from checker.extract import extract_path

    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in drafts(Path(tmp)):
            annotate_file(str(path), rules)  # warm: imports, vocabulary, grammar
            full, check = [], []
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = annotate_file(str(path), rules)
                full.append(time.perf_counter() - start)
                start = time.perf_counter()
                check_report(extract_path(str(path)), rules)
                check.append(time.perf_counter() - start)
            ms, check_ms = statistics.median(full) * 1000, statistics.median(check) * 1000
            print(
                f"{name:<28} {result.comments:>4} comments  {ms:7.1f} ms/draft  "
                f"(check alone {check_ms:6.1f} ms; comments {ms - check_ms:6.1f} ms)"
            )


if __name__ == "__main__":
    main()
