"""The publication date is a field of the report, read by detect.py (R103 compares it with the deadline)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from checker.engine import check_report, load_rules
from checker.extract import extract_path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"


def _with_line(tmp_path: Path, line: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "report.md"
    path.write_text("\n".join([text[0], "", line, *text[1:]]) + "\n", encoding="utf-8")
    return path


def test_publication_date_is_read_and_checked(tmp_path: Path) -> None:
    report = extract_path(str(_with_line(tmp_path, "发布日期：2023年5月6日")))
    assert report.published == date(2023, 5, 6)
    assert [f.rule for f in check_report(report, load_rules(), enabled={"R103"})] == ["R103"]


def test_no_date_or_an_impossible_one_is_none(tmp_path: Path) -> None:
    assert extract_path(str(EXAMPLE)).published is None
    assert extract_path(str(_with_line(tmp_path, "发布日期：2023年13月40日"))).published is None
