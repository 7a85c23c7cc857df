"""Table 二 (第二十条) as documents write it: the block's header against the template's columns, blocks the edition
does not have, and rows a conversion moved under another block. Each case is the Markdown example with its
第二十条第（一）项 table rewritten."""

from __future__ import annotations

from pathlib import Path

from checker.extract import Report, extract_path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"
BLOCK_1 = """| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
|---|---|---|---|
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 6 | 2 | 48 |
"""


def report_with(tmp_path: Path, block: str) -> Report:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert BLOCK_1 in text
    path = tmp_path / "report.md"
    path.write_text(text.replace(BLOCK_1, block), encoding="utf-8")
    return extract_path(str(path))


def docs_row(report: Report) -> dict[str, int | None]:
    return {
        col: report.value(("active", "art20_1", "normative_docs", col)) for col in ("issued", "repealed", "in_force")
    }


def messages(report: Report, rule: str) -> list[str]:
    return [p.message for p in report.problems if p.rule == rule]


def test_the_template_header_reads_the_values_in_its_order(tmp_path):
    report = report_with(tmp_path, BLOCK_1)
    assert docs_row(report) == {"issued": 6, "repealed": 2, "in_force": 48}
    assert messages(report, "S202") == []


def test_a_missing_column_is_reported_and_the_others_read_in_the_headers_order(tmp_path):
    block = """| 信息内容 | 现行有效件数 | 本年制发件数 |
|---|---|---|
| 规章 | 0 | 0 |
| 行政规范性文件 | 48 | 6 |
"""
    report = report_with(tmp_path, block)
    assert docs_row(report) == {"issued": 6, "repealed": None, "in_force": 48}
    assert ("active", "art20_1", "normative_docs", "repealed") not in report.cells
    assert any("缺少“本年废止件数”列" in m for m in messages(report, "S202"))


def test_a_header_read_in_part_over_full_rows_is_a_note_and_the_template_order(tmp_path):
    block = """| 信息内容 | 本年制发件数 | | 现行有效件数 |
|---|---|---|---|
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 6 | 2 | 48 |
"""
    report = report_with(tmp_path, block)
    assert docs_row(report) == {"issued": 6, "repealed": 2, "in_force": 48}
    assert any("表头未能完整识别，各行数值齐全" in m for m in messages(report, "S203"))
    assert not any("缺少" in m for m in messages(report, "S202"))


def test_another_editions_header_is_named(tmp_path):
    block = BLOCK_1.replace(
        "本年制发件数 | 本年废止件数 | 现行有效件数", "本年新制作数量 | 本年新公开数量 | 对外公开总数量"
    )
    report = report_with(tmp_path, block)
    assert any("与2021年版模板不符" in m for m in messages(report, "S202"))
    assert docs_row(report) == {"issued": 6, "repealed": 2, "in_force": 48}  # the template's columns


def test_a_block_only_the_other_edition_has_is_read_with_that_editions_layout(tmp_path):
    # （九）政府集中采购 (2019) in a 2021 report: its cells are kept (E102 says the editions are mixed)
    block = (
        "**第二十条第（九）项**\n\n"
        "| 信息内容 | 采购项目数量 | 采购总金额 |\n|---|---|---|\n| 政府集中采购 | 3 | 12 |\n\n"
    )
    report = report_with(tmp_path, block + BLOCK_1)
    assert report.edition == "2021"
    assert report.value(("active", "art20_9", "procurement", "items")) == 3
    assert report.value(("active", "art20_9", "procurement", "amount")) == 12
    assert messages(report, "S202") == []
    assert docs_row(report) == {"issued": 6, "repealed": 2, "in_force": 48}


def test_a_row_moved_under_another_block_is_read_where_it_belongs(tmp_path):
    # 行政规范性文件 written under （一）'s heading but after 规章's own block was cut: it still lands in （一）
    text = EXAMPLE.read_text(encoding="utf-8")
    moved = text.replace(BLOCK_1, "").replace(
        "| 行政许可 | 1826 |\n", "| 行政许可 | 1826 |\n| 行政规范性文件 | 6 | 2 | 48 |\n"
    )
    path = tmp_path / "moved.md"
    path.write_text(moved, encoding="utf-8")
    report = extract_path(str(path))
    assert docs_row(report) == {"issued": 6, "repealed": 2, "in_force": 48}
    assert report.value(("active", "art20_5", "licensing", "decisions")) == 1826
