"""Markdown reports end to end (``extract_path``): headings and GitHub pipe tables.

``fixtures/md/report_2019.md`` writes each table as a pipe table with one label column, the group captions
(三、本年度办理结果, （三）不予公开 …) on rows of their own, ``<br>`` inside header words and bold markup.
``fixtures/md/report_2021.md`` is what a converter that ignores rowspan makes of the template's HTML table: each
row holds only the cells that start in it, so rows have different lengths. The expected tables are built here
from the numbers written into the fixtures and compared whole.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from checker import layout
from checker.extract import extract_path
from checker.readers import markdown as md_reader

FIXTURES = Path(__file__).parent / "fixtures" / "md"

ACTIVE_2019 = {
    "art20_1": {"rules": ("1", "1", "9"), "normative_docs": ("14", "14", "233")},
    "art20_5": {"licensing": ("56", "-3", "1288"), "other_services": ("21", "0", "75")},
    "art20_6": {"penalty": ("12", "+1", "406"), "coercion": ("3", "0", "11")},
    "art20_8": {"fees": ("4", "-1")},
    "art20_9": {"procurement": ("12", "1,234,567.89")},
}
ACTIVE_2021 = {
    "art20_1": {"rules": ("0", "0", "0"), "normative_docs": ("7", "2", "31")},
    "art20_5": {"licensing": ("96",)},
    "art20_6": {"penalty": ("0",), "coercion": ("0",)},
    "art20_8": {"fees": ("12.60",)},
}
ZERO = (0, 0, 0, 0, 0, 0)
# Rows not listed are all zero; the 总计 column is the sum of the six applicant columns.
APPLICATIONS_2019 = {
    "received_new": (9, 2, 0, 1, 0, 0),
    "carried_over": (1, 0, 0, 0, 0, 0),
    "results.granted": (4, 1, 0, 0, 0, 0),
    "results.partial": (1, 0, 0, 0, 0, 0),
    "results.denied.third_party": (1, 0, 0, 0, 0, 0),
    "results.unavailable.not_held": (2, 0, 0, 1, 0, 0),
    "results.not_processed.duplicate": (1, 0, 0, 0, 0, 0),
    "results.other": (0, 1, 0, 0, 0, 0),
    "results.total": (9, 2, 0, 1, 0, 0),
    "carried_forward": (1, 0, 0, 0, 0, 0),
}
APPLICATIONS_2021 = {
    "received_new": (40, 5, 0, 0, 2, 1),
    "carried_over": (2, 1, 0, 0, 0, 0),
    "results.granted": (20, 2, 0, 0, 1, 0),
    "results.partial": (5, 0, 0, 0, 0, 0),
    "results.denied.process_info": (1, 0, 0, 0, 0, 0),
    "results.unavailable.not_held": (8, 2, 0, 0, 0, 1),
    "results.unavailable.unclear": (1, 0, 0, 0, 0, 0),
    "results.not_processed.petition": (2, 0, 0, 0, 0, 0),
    "results.other.no_correction": (1, 0, 0, 0, 1, 0),
    "results.other.unpaid_fee": (0, 1, 0, 0, 0, 0),
    "results.other.misc": (2, 0, 0, 0, 0, 0),
    "results.total": (40, 5, 0, 0, 2, 1),
    "carried_forward": (2, 1, 0, 0, 0, 0),
}
REVIEW_2019 = {"review": (0, 1, 0, 0), "litigation_direct": (0, 0, 0, 1), "litigation_after_review": (1, 0, 0, 0)}
REVIEW_2021 = {"review": (3, 1, 1, 0), "litigation_direct": (2, 0, 0, 1), "litigation_after_review": (0, 0, 0, 0)}

SPECIAL_VALUES: dict[str, float] = {"1,234,567.89": 1234567.89, "12.60": 12.6}


def number(text: str) -> int | float:
    return SPECIAL_VALUES[text] if text in SPECIAL_VALUES else int(text)


def expected_tables(active: dict, applications: dict, review: dict, edition: str) -> dict:
    out: dict = {"active": {}, "applications": {}, "review": {}}
    for block, rows in active.items():
        columns = layout.ACTIVE[edition][block][1]
        out["active"][block] = {
            row: dict(zip(columns, map(number, values), strict=True)) for row, values in rows.items()
        }
    for row in layout.APP_ROWS[edition]:
        values = applications.get(row, ZERO)
        out["applications"][row] = dict(zip(layout.APP_COLUMNS, (*values, sum(values)), strict=True))
    for group, values in review.items():
        out["review"][group] = dict(zip(layout.REVIEW_COLUMNS, (*values, sum(values)), strict=True))
    return out


CASES = {
    "report_2019.md": (
        "2019",
        2020,
        "示例市审计局",
        expected_tables(ACTIVE_2019, APPLICATIONS_2019, REVIEW_2019, "2019"),
    ),
    "report_2021.md": (
        "2021",
        2023,
        "示例区人民政府",
        expected_tables(ACTIVE_2021, APPLICATIONS_2021, REVIEW_2021, "2021"),
    ),
}


def test_the_numbers_are_a_consistent_report() -> None:
    for edition, apps in (("2019", APPLICATIONS_2019), ("2021", APPLICATIONS_2021)):
        assert set(apps) <= set(layout.APP_ROWS[edition])
        outcomes = layout.OUTCOME_ROWS[edition]
        for c in range(6):
            assert apps["received_new"][c] + apps["carried_over"][c] == (
                apps["results.total"][c] + apps["carried_forward"][c]
            )
            assert apps["results.total"][c] == sum(apps.get(r, ZERO)[c] for r in outcomes)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_extracts_completely(name: str) -> None:
    edition, year, agency, tables = CASES[name]
    report = extract_path(str(FIXTURES / name))
    assert report.readable
    assert report.format == "md"
    assert report.edition == edition
    assert report.year == year
    assert report.agency == agency
    assert report.title == f"{agency}{year}年政府信息公开工作年度报告"
    assert report.sections == ["一", "二", "三", "四", "五", "六"]
    assert report.tables() == tables


@pytest.mark.parametrize("name", ["report_2019.md", "report_2021.md"])
def test_fixture_reads_without_findings(name: str) -> None:
    report = extract_path(str(FIXTURES / name))
    assert [(p.rule, p.message) for p in report.problems if p.rule[0] in "PS"] == []


def test_values_keep_sign_and_decimals() -> None:
    report = extract_path(str(FIXTURES / "report_2019.md"))
    change = report.cells[("active", "art20_5", "licensing", "change")].value
    assert change.number == -3 and change.signed
    amount = report.cells[("active", "art20_9", "procurement", "amount")].value
    assert amount.number == Decimal("1234567.89")
    fees = extract_path(str(FIXTURES / "report_2021.md")).cells[("active", "art20_8", "fees", "amount")].value
    assert fees.number == Decimal("12.60")


def test_cells_point_to_table_row_and_column() -> None:
    report = extract_path(str(FIXTURES / "report_2019.md"))
    cell = report.cells[("applications", "received_new", "total")]
    assert cell.value.raw == "12"
    lines = (FIXTURES / "report_2019.md").read_text("utf-8").splitlines()
    assert lines[cell.source.line - 1].startswith("| 一、本年新收政府信息公开申请数量 |")
    assert cell.source.table is not None and cell.source.col == 8


def test_reader_blocks() -> None:
    data = (
        "# 标题\n\n段落 **加粗** 文字\n\n| 甲 | 乙<br>丙 | a\\|b |\n|:---|---:|---|\n| 1 | | 3 |\n| 4 |\n\n## 小节\n"
    ).encode()
    doc = md_reader.read(data, "x.md")
    assert doc.title == "标题"
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "table", "heading"]
    assert doc.blocks[1].text == "段落  加粗  文字"
    table = doc.blocks[2]
    assert [[c.text for c in row] for row in table.rows] == [["甲", "乙 丙", "a|b"], ["1", "", "3"], ["4", "", ""]]
    assert table.rows[1][2].source.line == 7


MD_HEAD = "# 示例镇人民政府2020年政府信息公开工作年度报告\n\n## 三、收到和处理政府信息公开申请情况\n\n"


def test_blank_markers_in_pipe_tables_are_null(tmp_path: Path) -> None:
    text = MD_HEAD + (
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 自然人 | 商业企业 | 科研机构 "
        "| 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n|---|---|---|---|---|---|---|---|\n"
        "| 一、本年新收政府信息公开申请数量 | 3 | / | — | - | 无 |  | 3 |\n"
    )
    path = tmp_path / "blank.md"
    path.write_text(text, encoding="utf-8")
    report = extract_path(str(path))
    assert report.tables()["applications"]["received_new"] == {
        "natural_person": 3,
        "commercial": None,
        "research": None,
        "social_welfare": None,
        "legal_service": None,
        "other_org": None,
        "total": 3,
    }


def test_label_cells_padded_for_colspan(tmp_path: Path) -> None:
    text = MD_HEAD + (
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | | 申请人情况 | | | | | | |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        "| | | | 自然人 | 法人或其他组织 | | | | | 总计 |\n"
        "| | | | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |\n"
        "| 一、本年新收政府信息公开申请数量 | | | 6 | 0 | 0 | 0 | 0 | 0 | 6 |\n"
        "| 二、上年结转政府信息公开申请数量 | | | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
    )
    path = tmp_path / "padded.md"
    path.write_text(text, encoding="utf-8")
    report = extract_path(str(path))
    apps = report.tables().get("applications", {})
    assert apps.get("received_new") == dict(zip(layout.APP_COLUMNS, (6, 0, 0, 0, 0, 0, 6), strict=True))
    assert apps.get("carried_over") == dict(zip(layout.APP_COLUMNS, (1, 0, 0, 0, 0, 0, 1), strict=True))
