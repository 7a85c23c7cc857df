"""`xxgk template`: a blank report in the official layout, in docx, html and md, for both editions.

The blank template read back has all six sections and every template cell, blank; filled with zeros through
the same writers it checks clean (no error, no warning) in every format it is written in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import cli
from checker.cli import TEMPLATE_YEARS, main, template_data
from checker.engine import check_report, load_rules
from checker.extract import extract_path
from checker.writers import cell_paths, render, zero_values

EDITIONS = ("2019", "2021")
FORMATS = ("md", "html", "docx")
SECTIONS = ["一", "二", "三", "四", "五", "六"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("edition", EDITIONS)
def test_blank_template_reads_back_complete(tmp_path: Path, edition: str, fmt: str) -> None:
    out = tmp_path / f"blank.{fmt}"
    result = CliRunner().invoke(main, ["template", "--edition", edition, "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = extract_path(str(out))
    assert report.readable
    assert report.edition == edition
    assert report.year == TEMPLATE_YEARS[edition]
    assert report.agency == "XX县人民政府"
    assert report.sections == SECTIONS
    expected = set(cell_paths(edition))
    assert set(report.cells) == expected, "every template cell is present, and nothing else"
    assert all(cell.value.blank for cell in report.cells.values()), "every cell is blank"
    # checking the blank template finds that it is unfinished (V104 placeholders, V105 one per blank table,
    # not one V103 per cell), and nothing structural
    findings = check_report(report, load_rules())
    assert {f.rule for f in findings} == {"V104", "V105"}
    assert sorted(f.location["table"] for f in findings if f.rule == "V105") == ["active", "applications", "review"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("edition", EDITIONS)
def test_zero_filled_template_checks_clean(tmp_path: Path, edition: str, fmt: str) -> None:
    path = tmp_path / f"zero.{fmt}"
    path.write_bytes(render(template_data(edition, zero_values(edition)), fmt))
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--fail-on", "warning"])
    doc = json.loads(result.output)
    findings = doc["reports"][0]["findings"]
    # The tables add up; what is left is the template's placeholder text (XX县, the instructions): V104 only.
    assert result.exit_code == 1 and {f["rule"] for f in findings if f["severity"] != "info"} == {"V104"}, findings
    assert doc["reports"][0]["edition"] == edition
    assert doc["reports"][0]["sections"] == SECTIONS


def test_placeholder_text_says_what_to_write() -> None:
    result = CliRunner().invoke(main, ["template", "--edition", "2021", "--format", "md"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# XX县人民政府2022年政府信息公开工作年度报告")
    assert "（文字描述，收取信息处理费情况在此处报告。" in text
    assert "工作考核、社会评议和责任追究结果情况" in text
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ):
        assert f"## {heading}" in text
    assert "第二十条第（九）项" not in text  # 2021 has no 政府集中采购 block
    old = CliRunner().invoke(main, ["template", "--edition", "2019"]).output
    assert "XX县人民政府2020年" in old and "第二十条第（九）项" in old


def test_html_template_has_merged_cells() -> None:
    result = CliRunner().invoke(main, ["template", "--edition", "2021", "--format", "html"])
    assert result.exit_code == 0, result.output
    html = result.output
    assert html.startswith("<!DOCTYPE html>")
    assert 'rowspan="3" colspan="3"' in html  # the 勾稽 note
    assert 'rowspan="22"' in html  # 三、本年度办理结果 over the 22 outcome rows of 2021
    assert 'colspan="10"' in html  # 行政诉讼 over its ten columns


def test_options_agency_and_year(tmp_path: Path) -> None:
    out = tmp_path / "t.md"
    args = ["template", "--agency", "青河县人民政府", "--year", "2024", "-o", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    report = extract_path(str(out))
    assert (report.agency, report.year, report.edition) == ("青河县人民政府", 2024, "2021")


def test_docx_is_not_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_stdout_is_terminal", lambda: True)
    result = CliRunner().invoke(main, ["template", "--format", "docx"])
    assert result.exit_code == 2
    assert "docx 是二进制文件" in result.output and "-o" in result.output


def test_docx_to_a_pipe_is_the_file() -> None:
    result = CliRunner().invoke(main, ["template", "--format", "docx"])
    assert result.exit_code == 0
    assert result.stdout_bytes[:2] == b"PK"
