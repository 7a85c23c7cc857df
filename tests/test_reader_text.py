"""Plain-text reports end to end (``extract_path``): the three shapes tables take in text files.

(a) ``cell |`` lines, one table cell per line, rows separated by lines of pipes (a web page scraped cell by
    cell, like seed 003);
(b) tables aligned with spaces or tabs, a row label followed by its values on one line;
(c) a crawler dump where the whole report body, tables included, is one line with no separator between cells.

Every fixture under ``fixtures/text/`` was written for these tests from the numbers below; the expected tables
are built here from the same numbers and compared whole, so a lost, extra or shifted cell fails.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SHARED_CORPUS

from checker import layout
from checker.extract import Report, extract_path

FIXTURES = Path(__file__).parent / "fixtures" / "text"
SHARED = SHARED_CORPUS.parent
SEEDS = SHARED / "corpus" / "seeds"

SECTIONS = ["一", "二", "三", "四", "五", "六"]

# ------------------------------------------------------------------------------------------------------------
# The numbers written into the fixtures

# 二、主动公开: block -> row -> values as written in the document (template column order).
ACTIVE_2019 = {
    "art20_1": {"rules": ("0", "0", "3"), "normative_docs": ("5", "5", "42")},
    "art20_5": {"licensing": ("107", "+267", "37103"), "other_services": ("143", "+208", "2861")},
    "art20_6": {"penalty": ("198", "-47", "23"), "coercion": ("16", "-6", "0")},
    "art20_8": {"fees": ("10", "+2")},
    "art20_9": {"procurement": ("45", "251000元")},
}
ACTIVE_2021 = {
    "art20_1": {"rules": ("0", "0", "2"), "normative_docs": ("12", "3", "87")},
    "art20_5": {"licensing": ("1523",)},
    "art20_6": {"penalty": ("342",), "coercion": ("17",)},
    "art20_8": {"fees": ("3.5",)},
}
# A flattened row of the 主动公开 table has no total column to tell its glued digits apart: the values of the
# flattened fixtures are single digits (and no negative change, see test_flattened_negative_change).
ACTIVE_2019_FLAT = {
    "art20_1": {"rules": ("0", "0", "3"), "normative_docs": ("5", "5", "9")},
    "art20_5": {"licensing": ("7", "+2", "8"), "other_services": ("4", "0", "6")},
    "art20_6": {"penalty": ("9", "+1", "3"), "coercion": ("1", "0", "0")},
    "art20_8": {"fees": ("8", "0")},
    "art20_9": {"procurement": ("0", "0")},
}
ACTIVE_2021_FLAT = {**ACTIVE_2021, "art20_1": {"rules": ("0", "0", "2"), "normative_docs": ("4", "1", "9")}}

# 三、申请情况: row -> the six applicant columns; the 总计 column is their sum.
APPLICATIONS_2019 = {
    "received_new": (151, 3, 0, 0, 0, 0),
    "carried_over": (2, 0, 0, 0, 0, 0),
    "results.granted": (80, 1, 0, 0, 0, 0),
    "results.partial": (10, 0, 0, 0, 0, 0),
    "results.denied.state_secret": (0, 0, 0, 0, 0, 0),
    "results.denied.law_forbidden": (1, 0, 0, 0, 0, 0),
    "results.denied.safety_stability": (0, 0, 0, 0, 0, 0),
    "results.denied.third_party": (2, 0, 0, 0, 0, 0),
    "results.denied.internal_affairs": (0, 0, 0, 0, 0, 0),
    "results.denied.process_info": (3, 0, 0, 0, 0, 0),
    "results.denied.enforcement_file": (0, 0, 0, 0, 0, 0),
    "results.denied.admin_query": (1, 0, 0, 0, 0, 0),
    "results.unavailable.not_held": (30, 1, 0, 0, 0, 0),
    "results.unavailable.needs_creation": (5, 0, 0, 0, 0, 0),
    "results.unavailable.unclear": (4, 0, 0, 0, 0, 0),
    "results.not_processed.petition": (6, 0, 0, 0, 0, 0),
    "results.not_processed.duplicate": (2, 0, 0, 0, 0, 0),
    "results.not_processed.publication": (0, 0, 0, 0, 0, 0),
    "results.not_processed.excessive": (0, 0, 0, 0, 0, 0),
    "results.not_processed.confirmation": (1, 0, 0, 0, 0, 0),
    "results.other": (3, 0, 0, 0, 0, 0),
    "results.total": (148, 2, 0, 0, 0, 0),
    "carried_forward": (5, 1, 0, 0, 0, 0),
}
APPLICATIONS_2021 = {
    "received_new": (23, 4, 1, 0, 1, 2),
    "carried_over": (3, 0, 0, 0, 0, 0),
    "results.granted": (10, 1, 0, 0, 0, 1),
    "results.partial": (2, 0, 0, 0, 0, 0),
    "results.denied.state_secret": (0, 0, 0, 0, 0, 0),
    "results.denied.law_forbidden": (0, 0, 0, 0, 0, 0),
    "results.denied.safety_stability": (1, 0, 0, 0, 0, 0),
    "results.denied.third_party": (0, 0, 0, 0, 0, 0),
    "results.denied.internal_affairs": (1, 0, 0, 0, 0, 0),
    "results.denied.process_info": (0, 0, 0, 0, 0, 0),
    "results.denied.enforcement_file": (0, 0, 0, 0, 0, 0),
    "results.denied.admin_query": (2, 0, 0, 0, 0, 0),
    "results.unavailable.not_held": (5, 1, 0, 0, 0, 0),
    "results.unavailable.needs_creation": (1, 0, 0, 0, 0, 0),
    "results.unavailable.unclear": (0, 0, 1, 0, 0, 0),
    "results.not_processed.petition": (1, 0, 0, 0, 0, 0),
    "results.not_processed.duplicate": (0, 0, 0, 0, 0, 0),
    "results.not_processed.publication": (0, 0, 0, 0, 0, 0),
    "results.not_processed.excessive": (0, 0, 0, 0, 0, 0),
    "results.not_processed.confirmation": (0, 0, 0, 0, 0, 0),
    "results.other.no_correction": (1, 0, 0, 0, 1, 0),
    "results.other.unpaid_fee": (0, 1, 0, 0, 0, 0),
    "results.other.misc": (1, 0, 0, 0, 0, 0),
    "results.total": (25, 3, 1, 0, 1, 1),
    "carried_forward": (1, 1, 0, 0, 0, 1),
}

# 四、复议诉讼: group -> 结果维持, 结果纠正, 其他结果, 尚未审结; the 总计 column is their sum.
REVIEW_2019 = {"review": (1, 0, 0, 1), "litigation_direct": (0, 0, 2, 0), "litigation_after_review": (0, 0, 0, 0)}
REVIEW_2021 = {"review": (2, 1, 0, 1), "litigation_direct": (1, 0, 0, 0), "litigation_after_review": (0, 0, 1, 0)}

# Cell texts that are not plain integers, and the value they stand for.
SPECIAL_VALUES: dict[str, float | int] = {"251000元": 251000, "3.5": 3.5}

META = {
    "2019": {"year": 2019, "agency": "示例县交通运输局"},
    "2021": {"year": 2022, "agency": "示例市生态环境局"},
}


def number(text: str) -> int | float:
    return SPECIAL_VALUES[text] if text in SPECIAL_VALUES else int(text)


def expected_tables(active: dict, applications: dict, review: dict, edition: str) -> dict:
    out: dict = {"active": {}, "applications": {}, "review": {}}
    for block, rows in active.items():
        _rows, columns = layout.ACTIVE[edition][block]
        out["active"][block] = {
            row: dict(zip(columns, map(number, values), strict=True)) for row, values in rows.items()
        }
    for row, values in applications.items():
        out["applications"][row] = dict(zip(layout.APP_COLUMNS, (*values, sum(values)), strict=True))
    for group, values in review.items():
        out["review"][group] = dict(zip(layout.REVIEW_COLUMNS, (*values, sum(values)), strict=True))
    return out


EXPECTED = {
    ("2019", "full"): expected_tables(ACTIVE_2019, APPLICATIONS_2019, REVIEW_2019, "2019"),
    ("2021", "full"): expected_tables(ACTIVE_2021, APPLICATIONS_2021, REVIEW_2021, "2021"),
    ("2019", "flat"): expected_tables(ACTIVE_2019_FLAT, APPLICATIONS_2019, REVIEW_2019, "2019"),
    ("2021", "flat"): expected_tables(ACTIVE_2021_FLAT, APPLICATIONS_2021, REVIEW_2021, "2021"),
}


def test_the_numbers_are_a_consistent_report() -> None:
    """The fixtures' numbers obey the template's identities, so any rule run over them finds nothing."""
    for edition, apps in (("2019", APPLICATIONS_2019), ("2021", APPLICATIONS_2021)):
        assert list(apps) == list(layout.APP_ROWS[edition])
        outcomes = layout.OUTCOME_ROWS[edition]
        for c in range(6):
            assert apps["received_new"][c] + apps["carried_over"][c] == (
                apps["results.total"][c] + apps["carried_forward"][c]
            )
            assert apps["results.total"][c] == sum(apps[r][c] for r in outcomes)
    for key, tables in EXPECTED.items():
        counts = layout.cell_count(key[0])
        assert {t: _count(v) for t, v in tables.items()} == counts, key


def _count(node: object) -> int:
    return sum(_count(v) for v in node.values()) if isinstance(node, dict) else 1


# ------------------------------------------------------------------------------------------------------------
# The six fixtures

CASES = [
    ("report_2019_cells.txt", "2019", "full"),
    ("report_2021_cells.txt", "2021", "full"),
    ("report_2019_aligned.txt", "2019", "full"),
    ("report_2021_aligned.txt", "2021", "full"),
    ("report_2019_flat.txt", "2019", "flat"),
    ("report_2021_flat.txt", "2021", "flat"),
]


def extract(name: str) -> Report:
    report = extract_path(str(FIXTURES / name))
    assert report.readable, report.problems
    return report


@pytest.mark.parametrize(("name", "edition", "data"), CASES, ids=[c[0] for c in CASES])
def test_fixture_extracts_completely(name: str, edition: str, data: str) -> None:
    report = extract(name)
    assert report.format == "txt"
    assert report.edition == edition
    assert report.year == META[edition]["year"]
    assert report.agency == META[edition]["agency"]
    assert report.sections == SECTIONS
    assert report.tables() == EXPECTED[(edition, data)]


@pytest.mark.parametrize(("name", "edition", "data"), CASES, ids=[c[0] for c in CASES])
def test_fixture_reads_without_table_findings(name: str, edition: str, data: str) -> None:
    """A clean report in the template's own wording: no unknown label, no lost value, no wording deviation."""
    report = extract(name)
    assert [(p.rule, p.message) for p in report.problems if p.rule[0] in "PS"] == []


def test_signs_and_units_survive() -> None:
    report = extract("report_2019_cells.txt")
    change = report.cells[("active", "art20_6", "penalty", "change")].value
    assert change.number == -47 and change.signed
    licensing = report.cells[("active", "art20_5", "licensing", "change")].value
    assert licensing.number == 267 and licensing.signed
    amount = report.cells[("active", "art20_9", "procurement", "amount")].value
    assert amount.number == 251000 and amount.unit == "元"
    fees = extract("report_2021_aligned.txt").cells[("active", "art20_8", "fees", "amount")].value
    assert fees.number == Decimal("3.5")


def test_cell_lines_point_back_to_their_line() -> None:
    report = extract("report_2019_cells.txt")
    lines = (FIXTURES / "report_2019_cells.txt").read_text("utf-8").splitlines()
    for path in (("applications", "received_new", "total"), ("review", "litigation_direct", "other")):
        cell = report.cells[path]
        assert cell.source.line is not None
        assert lines[cell.source.line - 1].strip() == f"{cell.value.raw} |"


def test_flattened_rows_are_split_by_their_totals() -> None:
    """``一、本年新收政府信息公开申请数量15130000154``: the 总计 column tells the split, 151/3/0/0/0/0/154."""
    text = (FIXTURES / "report_2019_flat.txt").read_text("utf-8")
    assert "一、本年新收政府信息公开申请数量15130000154二、上年结转" in text
    report = extract("report_2019_flat.txt")
    assert report.tables()["applications"]["received_new"] == {
        "natural_person": 151,
        "commercial": 3,
        "research": 0,
        "social_welfare": 0,
        "legal_service": 0,
        "other_org": 0,
        "total": 154,
    }


# ------------------------------------------------------------------------------------------------------------
# Small documents: blank cells, variants, what is not read


def write(tmp_path: Path, text: str, name: str = "report.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HEAD_2019 = "示例镇人民政府2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"


def test_cell_lines_blank_markers_are_null(tmp_path: Path) -> None:
    lines = [
        "第二十条第（一）项 |", "|||", "信息内容 |", "本年新制作数量 |", "本年新公开数量 |", "对外公开总数量 |",
        "规章 |", "/ |", "— |", "3 |", "||||",
        "规范性文件 |", "无 |", "0 |", "- |",
    ]  # fmt: skip
    report = extract_path(write(tmp_path, HEAD_2019 + "\n".join(lines) + "\n"))
    assert report.tables()["active"]["art20_1"] == {
        "rules": {"made": None, "published": None, "total_public": 3},
        "normative_docs": {"made": None, "published": 0, "total_public": None},
    }
    assert report.cells[("active", "art20_1", "rules", "made")].value.blank


def test_cell_lines_empty_cell_between_values_keeps_its_column(tmp_path: Path) -> None:
    """A lone ``|`` between two value cells is an empty cell, not a row break."""
    lines = [
        "第二十条第（一）项 |", "|||", "信息内容 |", "本年新制作数量 |", "本年新公开数量 |", "对外公开总数量 |",
        "规章 |", "1 |", "|", "3 |", "||||",
        "规范性文件 |", "4 |", "5 |", "6 |",
    ]  # fmt: skip
    report = extract_path(write(tmp_path, HEAD_2019 + "\n".join(lines) + "\n"))
    assert report.tables()["active"]["art20_1"] == {
        "rules": {"made": 1, "published": None, "total_public": 3},
        "normative_docs": {"made": 4, "published": 5, "total_public": 6},
    }


ALIGNED_ART20_1 = "第二十条第（一）项\n信息内容  本年新制作数量  本年新公开数量  对外公开总数量\n"


def test_aligned_row_with_blank_markers(tmp_path: Path) -> None:
    text = HEAD_2019 + ALIGNED_ART20_1 + "规章  /  /  3\n规范性文件  4  5  6\n"
    report = extract_path(write(tmp_path, text))
    assert report.tables()["active"]["art20_1"]["rules"] == {"made": None, "published": None, "total_public": 3}


def test_aligned_row_never_invents_values(tmp_path: Path) -> None:
    text = HEAD_2019 + ALIGNED_ART20_1 + "规章  0  0  3\n规范性文件  5  —  42\n"
    report = extract_path(write(tmp_path, text))
    row = report.tables()["active"]["art20_1"].get("normative_docs")
    # Either read right, or not read and reported: never 5/4/2.
    assert row in ({"made": 5, "published": None, "total_public": 42}, None)
    if row is None:
        assert any(p.rule in ("S202", "P005") and "规范性文件" in p.message for p in report.problems)


def test_flattened_negative_change(tmp_path: Path) -> None:
    text = (
        HEAD_2019 + "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚8-20行政强制1-10"
        "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费30\n"
    )
    report = extract_path(write(tmp_path, text))
    assert report.tables()["active"]["art20_6"] == {
        "penalty": {"prev_items": 8, "change": -2, "decisions": 0},
        "coercion": {"prev_items": 1, "change": -1, "decisions": 0},
    }


def test_flattened_ambiguous_row_is_reported_not_guessed(tmp_path: Path) -> None:
    text = HEAD_2019 + "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件5542\n"
    report = extract_path(write(tmp_path, text))
    assert report.tables()["active"]["art20_1"] == {"rules": {"made": 0, "published": 0, "total_public": 0}}
    assert any(p.rule == "P005" and "5542" in p.message for p in report.problems)
    assert not any(p.rule == "S202" for p in report.problems)  # a reading limit, not an error of the report


def test_aligned_full_width_digits_and_ideographic_spaces(tmp_path: Path) -> None:
    text = (
        "示例镇人民政府2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
        "信息内容　本年制发件数　本年废止件数　现行有效件数\n规章　０　０　１\n行政規範性文件　１２　３　１，２３４\n"
    )
    report = extract_path(write(tmp_path, text))
    assert report.edition == "2021"
    assert report.tables()["active"]["art20_1"] == {
        "rules": {"issued": 0, "repealed": 0, "in_force": 1},
        "normative_docs": {"issued": 12, "repealed": 3, "in_force": 1234},
    }


def test_label_wrapped_over_two_cell_lines_in_traditional_characters(tmp_path: Path) -> None:
    lines = [
        "（本列數據的勾稽關係為：第一項加第二項之和，等於第三項加第四項之和） |", "申請人情況 |", "||||",
        "自然人 |", "法人或其他組織 |", "總計 |", "|||",
        "商業 企業 |", "科研機構 |", "社會公益 組織 |", "法律服務機構 |", "其他 |", "|||",
        "一、本年新收政府信息公開申請數量 |", "6 |", "0 |", "0 |", "0 |", "0 |", "0 |", "6 |", "||",
        "二、上年結轉政府信息公開申請數量 |", "1 |", "0 |", "0 |", "0 |", "0 |", "0 |", "1 |",
    ]  # fmt: skip
    head = "示例鎮人民政府2020年政府信息公開工作年度報告\n三、收到和處理政府信息公開申請情況\n"
    report = extract_path(write(tmp_path, head + "\n".join(lines) + "\n"))
    apps = report.tables()["applications"]
    assert apps["received_new"] == dict(zip(layout.APP_COLUMNS, (6, 0, 0, 0, 0, 0, 6), strict=True))
    assert apps["carried_over"] == dict(zip(layout.APP_COLUMNS, (1, 0, 0, 0, 0, 0, 1), strict=True))
    assert report.sections == ["三"]
    assert report.agency == "示例镇人民政府" and report.year == 2020


def test_2019_report_without_active_table_reads_its_2019_rows(tmp_path: Path) -> None:
    text = (FIXTURES / "report_2019_aligned.txt").read_text("utf-8")
    cut = text[: text.index("二、主动公开政府信息情况")] + text[text.index("三、收到和处理政府信息公开申请情况") :]
    report = extract_path(write(tmp_path, cut))
    assert report.edition == "2019"
    assert report.tables()["applications"] == EXPECTED[("2019", "full")]["applications"]
    assert [p.message for p in report.problems if p.rule == "S202"] == []


def test_prose_only_text_is_not_a_report(tmp_path: Path) -> None:
    report = extract_path(write(tmp_path, "关于做好2021年度政务公开工作的通知\n各单位：请按要求做好相关工作。\n"))
    assert report.readable
    assert report.tables() == {}
    assert [p.rule for p in report.problems] == ["P003"]


def test_utf16_and_gbk_text_files(tmp_path: Path) -> None:
    text = (FIXTURES / "report_2021_aligned.txt").read_text("utf-8")
    for encoding, suffix in (("gb18030", "gbk"), ("utf-16", "utf16")):
        path = tmp_path / f"report_{suffix}.txt"
        path.write_bytes(text.encode(encoding))
        report = extract_path(str(path))
        assert report.tables() == EXPECTED[("2021", "full")], encoding
        assert report.agency == META["2021"]["agency"]


# ------------------------------------------------------------------------------------------------------------
# The real seed documents


def seed(prefix: str) -> Path:
    if not SHARED.is_dir():
        pytest.skip("the shared corpus is not available")
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} is not available")
    return found[0]


def test_seed_003_is_read_completely() -> None:
    report = extract_path(str(seed("003")))
    assert report.edition == "2019"
    assert report.year == 2020
    tables = report.tables()
    assert _count(tables["applications"]) == 161
    assert _count(tables["review"]) == 15
    assert _count(tables["active"]) == 22
    assert set(tables) == {"active", "applications", "review"}
    apps = tables["applications"]
    assert apps["received_new"]["natural_person"] == 6
    assert apps["received_new"]["total"] == 6
    assert apps["carried_forward"]["total"] == 1
    assert apps["results.total"]["total"] == 7
    assert apps["results.unavailable.not_held"]["natural_person"] == 5
    assert tables["review"]["litigation_direct"] == {"upheld": 0, "corrected": 0, "other": 2, "pending": 0, "total": 2}
    assert tables["review"]["review"]["total"] == 0
    active = tables["active"]
    assert active["art20_1"]["normative_docs"] == {"made": 1, "published": 1, "total_public": 6}
    assert active["art20_5"]["licensing"]["change"] == 267
    assert active["art20_5"]["licensing"]["decisions"] == 37103
    assert active["art20_6"]["penalty"]["change"] == -47
    assert active["art20_6"]["coercion"] == {"prev_items": 16, "change": -6, "decisions": 0}
    assert active["art20_8"]["fees"] == {"prev_items": 10, "change": 2}
    assert active["art20_9"]["procurement"]["items"] == 45
    assert active["art20_9"]["procurement"]["amount"] == 31989283.0
    assert report.cells[("active", "art20_6", "penalty", "change")].value.signed
    # the headings of 三, 四 and 五 were lost in the scrape; the ones present are found in order
    assert report.sections == ["一", "二", "六"]


@pytest.mark.parametrize(("prefix", "rules"), [("000", {"P003", "P004"}), ("002", {"P003", "P004"}),
                                              ("004", {"P003", "P004"}), ("001", {"P004"})])  # fmt: skip
def test_seed_neighbours_are_classified(prefix: str, rules: set[str]) -> None:
    report = extract_path(str(seed(prefix)))
    assert report.readable
    assert report.tables() == {}
    found = [p.rule for p in report.problems]
    assert len(found) == 1 and found[0] in rules, found
    assert report.edition == ("legacy" if found[0] == "P004" else "unknown")
