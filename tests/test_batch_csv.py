"""Formula neutralisation in what a batch writes: text from a document or a file name that a spreadsheet would run
as a formula (= + - @ tab CR first, full-width too) is neutralised in every CSV (``checker.output.csv_safe``) and
stored as text, never as a formula, in summary.xlsx."""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from test_batch import write

from checker.writers import consistent_values

AGENCY = '=HYPERLINK("x.example","点击")县教育局'
WIDE = "＠报告.md"  # a full-width at sign: spreadsheets in a Chinese locale read it as a formula too


@pytest.fixture()
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    values = consistent_values("2021", random.Random(3), max_count=3)
    values[("applications", "results.granted", "total")] += 1  # a finding, so the 问题 sheet has a row
    report = write(folder, AGENCY, 2022, values, "md", "2021", {"一": ["本机关认真落实政府信息公开工作。"]})
    for name in ("@SUM(1+1).md", WIDE):  # file names a spreadsheet would run, named explicitly (relative paths)
        (folder / name).write_text(report.read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "batch",
            "@SUM(1+1).md",
            WIDE,
            ".",
            "--out",
            str(tmp_path / "out"),
            "-j",
            "1",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return tmp_path / "out"


def _rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Windows reads UTF-8 only with its BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _dangerous(cell: str) -> bool:
    return cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"))


def test_every_csv_cell_from_a_document_or_a_file_name_is_neutralised(review: Path) -> None:
    for name in ("summary.csv", "tables.csv"):
        rows = _rows(review / name)
        cells = [c for row in rows[1:] for c in row]
        assert f"'{AGENCY}" in cells, name  # the agency read from the title
        assert "'@SUM(1+1).md" in cells, name  # the file name as given
        assert f"'{WIDE}" in cells, name
        assert not [c for c in cells if _dangerous(c)], name


def test_the_workbook_stores_such_text_as_text(review: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")

    book = openpyxl.load_workbook(review / "summary.xlsx")
    seen = []
    for sheet in ("报告", "问题", "表格数据"):
        for row in book[sheet].iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and _dangerous(cell.value.lstrip("'")):
                    assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
                    seen.append(sheet)
    assert {"报告", "问题", "表格数据"} <= set(seen)  # the agency is in every sheet, as text
