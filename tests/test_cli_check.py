"""`xxgk check` end to end: exit codes, formats, seeds and real reports of the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHARED_CORPUS

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = SHARED_CORPUS


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_clean_report_exits_0_with_no_error_or_warning():
    result = run("check", str(EXAMPLES / "2022-qinghe-county.md"), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] == 0


def test_faulty_report_exits_1_and_names_the_cell_and_expected_value():
    result = run("check", str(EXAMPLES / "faulty" / "2022-qinghe-education-draft.docx"), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)["reports"][0]["findings"]
    a101 = next(f for f in findings if f["rule"] == "A101")
    assert a101["location"]["row"] == "carried_forward" and a101["location"]["column"] == "natural_person"
    assert a101["expected"] == 2 and a101["location"]["cell"]


def test_fail_on_never_and_select_ignore():
    faulty = str(EXAMPLES / "faulty" / "2022-qinghe-education-draft.md")
    assert run("check", faulty, "--fail-on", "never").exit_code == 0
    result = run("check", faulty, "--select", "V", "--format", "json")
    rules = {f["rule"] for f in json.loads(result.output)["reports"][0]["findings"]}
    assert rules == {"V103"} and result.exit_code == 0  # V103 is a warning; the default gate is error
    assert run("check", faulty, "--select", "V", "--fail-on", "warning").exit_code == 1
    assert run("check", faulty, "--ignore", "A,S,V").exit_code == 0


def test_unknown_rule_id_is_a_usage_error():
    result = run("check", str(EXAMPLES / "2022-qinghe-county.md"), "--select", "Z999")
    assert result.exit_code == 2 and "Z999" in result.output


def test_unreadable_file_exits_2_with_one_line(tmp_path: Path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = run("check", str(bad), str(EXAMPLES / "2022-qinghe-county.md"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{bad}: P001" in result.output


def test_with_tables_includes_canonical_cells():
    result = run("check", str(EXAMPLES / "2022-qinghe-county.html"), "--format", "json", "--with-tables")
    tables = json.loads(result.output)["reports"][0]["tables"]
    assert set(tables) == {"active", "applications", "review"}
    assert len(tables["applications"]) == 25


def test_rules_and_explain_commands():
    listing = run("rules")
    assert listing.exit_code == 0 and "A101" in listing.output and "申请数量收支不平衡" in listing.output
    explained = run("explain", "A101")
    assert explained.exit_code == 0
    assert "不通过的示例" in explained.output and "→ A101" in explained.output


@pytest.fixture
def seed_003() -> Path:
    path = SHARED / "seeds" / "003_c88462c79273269f.txt"
    if not path.exists():
        pytest.skip("shared corpus not present")
    return path


def test_seed_003_identities_hold_and_lost_headings_are_reported(seed_003: Path):
    result = run("check", str(seed_003), "--format", "json")
    report = json.loads(result.output)["reports"][0]
    assert report["edition"] == "2019" and report["year"] == 2020
    assert not [f for f in report["findings"] if f["rule"].startswith("A")]
    missing = {f["location"]["section"] for f in report["findings"] if f["rule"] == "S101"}
    assert missing == {"三", "四", "五"}


def test_shanghai_2019_blank_total_column_is_found():
    path = SHARED / "real" / "github-embedded" / "shanghai_szfbgt_2019_annual_report_tables.html"
    if not path.exists():
        pytest.skip("shared corpus not present")
    findings = json.loads(run("check", str(path), "--format", "json").output)["reports"][0]["findings"]
    # A real defect of this report: the 总计 column is blank in every result row but （七）总计 = 805. The blank
    # finding says so; no arithmetic finding derived from the blanks ("各项之和为 0，应为 0") would make a
    # drafter delete a true figure (blank policy, rules.md).
    assert [f for f in findings if f["rule"] == "A102"] == []
    assert any(f["rule"] == "V103" and f["location"]["column"] == "total" for f in findings)


def test_every_corpus_file_gets_an_answer():
    if not SHARED.exists():
        pytest.skip("shared corpus not present")
    files = [p for p in SHARED.rglob("*") if p.suffix in (".txt", ".html", ".md", ".docx") and "MANIFEST" not in p.name]
    result = run("check", *map(str, files), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output[-500:]
    assert len(json.loads(result.output)["reports"]) == len(files)


def test_cell_read_twice_with_different_values_is_one_finding_and_skips_its_identities(tmp_path: Path):
    from checker.writers import ReportData, render, zero_values

    text = render(ReportData("2021", 2022, "青河县人民政府", zero_values("2021")), "md").decode("utf-8")
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if "本年新收政府信息公开申请数量" in line and line.startswith("|"))
    lines.insert(i + 1, lines[i].replace("| 0 |", "| 5 |", 1))  # the same row again, 自然人 now 5
    path = tmp_path / "twice.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    findings = json.loads(run("check", str(path), "--format", "json").output)["reports"][0]["findings"]
    conflicts = [f for f in findings if f["rule"] == "S202" and "两个不同的值" in f["message"]]
    assert [(f["location"]["row"], f["location"]["column"]) for f in conflicts] == [("received_new", "natural_person")]
    assert not [f for f in findings if f["rule"].startswith("A")]  # the identities reading it are skipped


def test_single_2019_other_row_in_a_2021_table_is_read_and_named(tmp_path: Path):
    from checker.writers import ReportData, render, zero_values

    text = render(ReportData("2021", 2022, "青河县人民政府", zero_values("2021")), "md").decode("utf-8")
    lines = [
        "| （六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" if "（六）其他处理" in line else line
        for line in text.splitlines()
        if "（六）" in line or ("行政机关不再处理" not in line and "| 3.其他 |" not in line)
    ]
    path = tmp_path / "six.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = json.loads(run("check", str(path), "--format", "json", "--with-tables").output)["reports"][0]
    assert [f["rule"] for f in report["findings"] if f["severity"] == "error"] == ["E102"]
    assert report["tables"]["applications"]["results.other"]["total"] == 0
