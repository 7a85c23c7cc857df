"""Baselines: fingerprints are stable across line shifts and renames, and only new findings survive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.baseline import BaselineError, apply_baseline, fingerprint, load_baseline, write_baseline
from checker.extract import Report
from checker.findings import Finding


def _report(path: str = "reports/qinghe-2022.docx", agency: str | None = "青河县人民政府", year: int | None = 2022):
    return Report(path=path, format="docx", edition="2021", year=year, agency=agency)


def _cell(rule: str = "A101", line: int | None = 57, column: str = "research", **extra) -> Finding:
    location = {"section": "三", "table": "applications", "row": "carried_forward", "column": column, "line": line}
    return Finding(rule, "error", "不平衡", {**location, **extra})


def test_fingerprint_ignores_lines_pages_and_messages() -> None:
    report = _report()
    base = fingerprint(report, _cell())
    assert len(base) == 16 and int(base, 16) >= 0
    assert fingerprint(report, _cell(line=90, page=4, cell="T3!D12")) == base
    moved = _cell()
    moved.message = "另一种说法"
    assert fingerprint(report, moved) == base


def test_fingerprint_tells_apart_rule_cell_and_report() -> None:
    report = _report()
    base = fingerprint(report, _cell())
    assert fingerprint(report, _cell(rule="A102")) != base
    assert fingerprint(report, _cell(column="commercial")) != base
    assert fingerprint(_report(year=2023), _cell()) != base
    assert fingerprint(_report(agency="白河县人民政府"), _cell()) != base


def test_report_identity_is_agency_and_year_when_known() -> None:
    renamed = _report(path="elsewhere/renamed.pdf", agency=" 青河县 人民政府")  # stray spaces normalised
    assert fingerprint(renamed, _cell()) == fingerprint(_report(), _cell())
    # without agency or year, the file name identifies the report (its folder does not)
    anonymous = _report(path="a/x.txt", agency=None)
    assert fingerprint(anonymous, _cell()) == fingerprint(_report(path="b\\x.txt", agency=None), _cell())
    assert fingerprint(anonymous, _cell()) != fingerprint(_report(path="a/y.txt", agency=None), _cell())


def test_round_trip_drops_known_findings_and_marks_new(tmp_path: Path) -> None:
    report = _report()
    old = [_cell(), Finding("S101", "warning", "缺少第六部分", {"section": "六"})]
    path = tmp_path / "xxgk-baseline.json"
    assert write_baseline(path, [(report, old)]) == 2

    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == 1
    assert [e["rule"] for e in doc["entries"]] == ["A101", "S101"]
    assert set(doc["entries"][0]) == {"fingerprint", "rule", "path", "message"}

    known = load_baseline(path)
    new = _cell(column="commercial")
    shifted = _cell(line=80)  # the same finding after the text above it grew
    results = [(report, [shifted, new, old[1]])]
    kept = apply_baseline(results, known)
    assert [(f.rule, f.location["column"]) for f in kept[0][1]] == [("A101", "commercial")]
    assert kept[0][1][0].location["baseline_state"] == "new"
    assert "baseline_state" not in new.location  # the input is not mutated


def test_write_is_sorted_and_deduplicated(tmp_path: Path) -> None:
    a, b = _report(path="b.txt", agency=None), _report(path="a.txt", agency=None)
    path = tmp_path / "base.json"
    write_baseline(path, [(a, [_cell(), _cell(line=1)]), (b, [_cell()])])
    entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
    assert [e["path"] for e in entries] == ["a.txt", "b.txt"]


@pytest.mark.parametrize(
    "content, words",
    [("{not json", "JSON"), ('{"version": 1}', "entries"), ('{"version": 99, "entries": []}', "版本")],
)
def test_bad_baseline_files(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "base.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=words):
        load_baseline(path)


def test_missing_baseline_file(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="无法读取"):
        load_baseline(tmp_path / "nope.json")
