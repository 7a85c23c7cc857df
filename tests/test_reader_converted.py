"""Markdown and text made by converting a PDF (or saving a page): the shapes real conversions take, pinned with
our own reports. Each test renders a consistent report with our writers, reshapes it the way a converter does,
and requires every cell back, equal to the clean rendering, with no table finding (S202) and no reading limit
(P005) — or, where the source really loses cells, P005 and never S202.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from checker import layout
from checker.engine import check_report, load_rules
from checker.extract import Report, extract_path
from checker.writers import ReportData, consistent_values, render

RULES = load_rules()


def _report(seed: int = 7, year: int = 2023) -> tuple[str, dict]:
    values = consistent_values("2021", random.Random(seed), blank_rate=0.0, max_count=60)
    text = render(ReportData("2021", year, "青河县测试局", values), "md").decode("utf-8")
    return text, values


def _extract(tmp_path: Path, text: str, name: str = "report.md") -> Report:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract_path(str(path))


def _clean_tables(tmp_path: Path, text: str) -> dict:
    return _extract(tmp_path, text, "clean.md").tables()


def _shape_findings(report: Report) -> list[str]:
    return [f"{f.rule} {f.message}" for f in check_report(report, RULES) if f.rule in ("S202", "P005", "S101")]


def _table_lines(text: str, first_label: str) -> tuple[int, int, list[str]]:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("|") and first_label in line)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return start, end, lines


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def test_page_footer_between_pieces_of_a_table_is_not_read(tmp_path: Path) -> None:
    text, _ = _report()
    start, end, lines = _table_lines(text, "本年新收")
    cut = start + 12
    pieces = [*lines[:cut], "", "— 4 —", "", "第 4 页 共 9 页", "", *lines[cut:end], *lines[end:]]
    # and a footer right after the fee row of table 二
    shaped = "\n".join(pieces).replace("| 行政事业性收费 |", "- 3 -\n\n| 行政事业性收费 |", 1)
    report = _extract(tmp_path, shaped)
    assert report.tables() == _clean_tables(tmp_path, text)
    assert _shape_findings(report) == []
    assert report.document is not None
    table = next(b for b in report.document.blocks if b.is_table and any("本年新收" in r[0].text for r in b.rows))
    assert len(table.rows) == len(layout.APP_ROWS["2021"]) + 1  # one table: the footer joined its two pieces


def test_labels_apart_from_their_value_rows_are_placed_by_the_layout(tmp_path: Path) -> None:
    """Labels of three rows written first (each broken over two lines), then their three value rows."""
    text, _ = _report(seed=11)
    start, end, lines = _table_lines(text, "本年新收")
    rows = lines[start:end]
    k = next(i for i, r in enumerate(rows) if "本机关不掌握" in r)
    moved = rows[k : k + 3]
    labels = []
    for row in moved:
        label = re.sub(r"^（四）无法提供\s*", "", _cells(row)[0])
        labels += [label[: len(label) // 2], label[len(label) // 2 :]]
    values = ["| " + " | ".join(_cells(row)[1:]) + " |" for row in moved]
    shaped_rows = [*rows[:k], "", "（四）无法提供", *labels, *values, "|---|---|---|---|---|---|---|", ""]
    shaped_rows += rows[k + 3 :]
    shaped = "\n".join(lines[:start] + shaped_rows + lines[end:])
    report = _extract(tmp_path, shaped)
    assert report.tables() == _clean_tables(tmp_path, text)
    assert _shape_findings(report) == []


def test_value_rows_that_do_not_fit_the_layout_are_a_reading_limit(tmp_path: Path) -> None:
    text, _ = _report(seed=11)
    start, end, lines = _table_lines(text, "本年新收")
    rows = lines[start:end]
    k = next(i for i, r in enumerate(rows) if "本机关不掌握" in r)
    values = ["| " + " | ".join(_cells(row)[1:]) + " |" for row in rows[k : k + 2]]  # two rows for three slots
    shaped = "\n".join(lines[:start] + rows[:k] + ["", *values, ""] + rows[k + 3 :] + lines[end:])
    found = _shape_findings(_extract(tmp_path, shaped))
    assert any(f.startswith("P005") and "无法确定所属的行" in f for f in found), found


def test_table_four_as_one_bare_row_under_broken_header_lines(tmp_path: Path) -> None:
    text, _ = _report(seed=5)
    start, end, lines = _table_lines(text, "结果维持")
    numbers = [c for row in lines[start + 2 : end] for c in _cells(row)[1:]]
    header = ["行政复议行政诉讼", "未经复议直接起诉复议后起诉", "结果结果其他尚未", "总计", "总计总计",
              "维持纠正结果审结维持纠正结果审结"]  # fmt: skip
    bare = ["| 维持 | 纠正 | 结果 | 审结 | 结果 | 结果 | 其他 | 尚未 |", "|---|---|---|---|---|---|---|---|",
            "| " + " | ".join(numbers) + " |"]  # fmt: skip
    shaped = "\n".join(lines[:start] + header + bare + lines[end:])
    report = _extract(tmp_path, shaped)
    assert report.tables()["review"] == _clean_tables(tmp_path, text)["review"]
    assert _shape_findings(report) == []


def test_header_row_split_over_two_lines_is_merged_by_column(tmp_path: Path) -> None:
    text, _ = _report(seed=3)
    start, _end, lines = _table_lines(text, "本年新收")
    width = len(_cells(lines[start]))
    head = [
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |" + " |" * (width - 2),
        "|" + "---|" * width,
        "| | 自然人 | 法人或其他组织 | | | | | 总计 |",
        "| | | 商业 | 科研 | 社会公益组织 | 法律服务机构 | 其他 | |",
        "| | | 企业 | 机构 | | | | |",
    ]
    shaped = "\n".join(lines[: start - 2] + head + lines[start:])
    report = _extract(tmp_path, shaped)
    assert report.tables() == _clean_tables(tmp_path, text)
    assert _shape_findings(report) == []
    assert not [p for p in report.problems if p.rule == "S203" and "表头" in p.message]


def test_blank_cells_between_pipes_in_a_text_file_are_blanks(tmp_path: Path) -> None:
    text, _ = _report(seed=3)
    start, end, lines = _table_lines(text, "本年新收")
    rows = [r for r in lines[start:end] if not r.startswith("|---")]
    k = next(i for i, r in enumerate(rows) if "属于国家秘密" in r)
    cells = _cells(rows[k])
    rows[k] = "| " + cells[0] + " | " + cells[1] + " |" + " |" * 5 + " " + cells[-1] + " |"
    # saved as text: no delimiter row, so the pipes are the only cell boundaries
    shaped = "\n".join(lines[:start] + rows + lines[end:])
    report = _extract(tmp_path, shaped, "report.txt")
    row = report.tables()["applications"]["results.denied.state_secret"]
    assert [row[c] for c in layout.APP_COLUMNS[1:6]] == [None] * 5
    assert row["natural_person"] == int(cells[1]) and row["total"] == int(cells[-1])
    assert not any("连在一起" in f for f in _shape_findings(report))


def test_first_block_rows_standing_after_the_other_blocks(tmp_path: Path) -> None:
    text, _ = _report(seed=9)
    start, end, lines = _table_lines(text, "本年制发件数")
    block = lines[start:end]
    rest = "\n".join(lines[:start] + lines[end:])
    anchor = rest.index("## 三、")
    shaped = rest[:anchor] + "## 表二：主动公开政府信息情况\n\n" + "\n".join(block) + "\n\n" + rest[anchor:]
    report = _extract(tmp_path, shaped)
    assert report.tables()["active"] == _clean_tables(tmp_path, text)["active"]
    assert _shape_findings(report) == []


def test_2019_wording_in_a_2021_table_is_a_note(tmp_path: Path) -> None:
    text, _ = _report(seed=9)
    report = _extract(tmp_path, text.replace("| 行政规范性文件 |", "| 规范性文件 |"))
    assert report.tables() == _clean_tables(tmp_path, text)
    notes = [p.message for p in report.problems if p.rule == "S203"]
    assert any("“规范性文件”是2019年版" in m and "行政规范性文件" in m for m in notes)


def test_wrapped_prose_and_a_title_named_in_prose_are_not_headings_or_tables(tmp_path: Path) -> None:
    text, _ = _report(seed=2)
    intro = "本报告包括总体情况、主动公开政府信息情况、政府信息公开行政复议行政诉讼情况等内容。\n\n"
    wrapped = "本年度我局认真落实各项要求，现将\n其他需要报告的事项。本年度无。\n\n"
    shaped = text.replace("## 一、总体情况", intro + "## 一、总体情况", 1)
    shaped = shaped.replace("## 五、", wrapped + "## 五、", 1)
    report = _extract(tmp_path, shaped)
    assert report.sections == ["一", "二", "三", "四", "五", "六"]
    assert report.tables() == _clean_tables(tmp_path, text)
    found = [f"{f.rule} {f.message}" for f in check_report(report, RULES) if f.rule in ("S102", "S202")]
    assert found == []


def test_report_year_from_title_then_period_then_publication_date(tmp_path: Path) -> None:
    text, _ = _report(year=2023)
    untitled = re.sub(r"^# .*\n", "# 青河县测试局政府信息公开工作年度报告\n", text)
    assert _extract(tmp_path, untitled).year == 2023  # the statistics period
    no_period = re.sub(r"本报告中所列数据统计期限为[^。]*。", "", untitled)
    published = no_period.replace("## 一、总体情况", "发布时间：2024-01-20\n\n## 一、总体情况", 1)
    assert _extract(tmp_path, published).year == 2023
    assert _extract(tmp_path, no_period).year is None


def test_when_the_layout_leaves_a_choice_the_identities_decide(tmp_path: Path) -> None:
    """The last three labels lost and the 3.其他 row (all zeros) dropped: two value rows for three template
    rows; only 总计 and 结转下年度 make every column identity hold."""
    text, _ = _report(seed=2)
    start, end, lines = _table_lines(text, "本年新收")
    rows = lines[start:end]
    k = next(i for i, r in enumerate(rows) if "| 3.其他 |" in r)
    assert set(_cells(rows[k])[1:]) == {"0"}  # this seed's 3.其他 row is all zeros
    tail = ["| " + " | ".join(_cells(r)[1:]) + " |" for r in rows[k + 1 :]]
    shaped = "\n".join(lines[:start] + rows[:k] + ["", *tail, ""] + lines[end:])
    report = _extract(tmp_path, shaped)
    clean = _clean_tables(tmp_path, text)["applications"]
    got = report.tables()["applications"]
    assert got["results.total"] == clean["results.total"]
    assert got["carried_forward"] == clean["carried_forward"]
    assert "results.other.misc" not in got
    # the row really missing from the document is a shape problem of the document
    assert [f for f in _shape_findings(report) if f.startswith("P005")] == []


def test_value_rows_before_their_labels_keep_their_blank_cells(tmp_path: Path) -> None:
    """Value rows alone (a blank cell among them), then the labels of those rows as text: a piece of the
    table read as a grid, placed by the layout; the blank stays blank, never glued to its neighbours."""
    values = consistent_values("2021", random.Random(21), blank_rate=0.0, max_count=60)
    values[("applications", "results.denied.third_party", "research")] = None
    text = render(ReportData("2021", 2023, "青河县测试局", values), "md").decode("utf-8")
    start, end, lines = _table_lines(text, "本年新收")
    rows = lines[start:end]
    k = next(i for i, r in enumerate(rows) if "危及" in r)
    moved = rows[k : k + 3]
    value_rows = ["| " + " | ".join(_cells(row)[1:]) + " |" for row in moved]
    labels = [_cells(row)[0] for row in moved]
    shaped = "\n".join(lines[:start] + rows[:k] + ["", *value_rows, "", *labels, ""] + rows[k + 3 :] + lines[end:])
    report = _extract(tmp_path, shaped)
    assert report.tables() == _clean_tables(tmp_path, text)
    assert report.tables()["applications"]["results.denied.third_party"]["research"] is None
    assert [f for f in _shape_findings(report) if not f.startswith("S101")] == []


def test_lost_heading_of_section_five_with_its_subheadings_in_the_text(tmp_path: Path) -> None:
    text, _ = _report(seed=2)
    shaped = re.sub(r"## 五、[^\n]*\n", "（一）主要问题\n\n栏目更新不够及时。\n\n（二）改进情况\n\n", text)
    found = [f for f in check_report(_extract(tmp_path, shaped), RULES) if f.rule in ("S101", "S202")]
    assert [f.location["section"] for f in found] == ["五"]
    assert "标题可能丢失" in found[0].message
