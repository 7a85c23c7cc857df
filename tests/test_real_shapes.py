"""Shapes of real published reports that a person reads at once, pinned with our own small fixtures.

Each fixture is written here for the project (never copied from a report): a 2021-edition report whose tables
were flattened by a web crawler into one line with no separator between cells, with the wording deviations,
glued runs and headings seen in real pages.
"""

from __future__ import annotations

from pathlib import Path

from checker import layout
from checker.engine import check_report, load_rules
from checker.extract import Report, extract_path
from checker.interpret import _row_label

RULES = load_rules()

ACTIVE = (
    "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件{docs}"
    "第二十条第（五）项信息内容本年处理决定数量行政许可0第二十条第（六）项信息内容本年处理决定数量行政处罚0行政强制0"
    "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0"
)
APP_HEAD = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
    "商业企业科研机构社会公益组织法律服务机构其他"
)
REVIEW_HEAD = (
    "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
    + "结果维持结果纠正其他结果尚未审结总计" * 2
)


def _app_rows(values: dict[str, tuple[int, ...]], labels: dict[str, str] | None = None) -> str:
    out = []
    for key in layout.APP_ROWS["2021"]:
        if key == "results.granted":
            out.append("三、本年度办理结果")
        group = {
            "results.denied.state_secret": "（三）不予公开",
            "results.unavailable.not_held": "（四）无法提供",
            "results.not_processed.petition": "（五）不予处理",
            "results.other.no_correction": "（六）其他处理",
        }
        out.append(group.get(key, ""))
        row = values.get(key, (0,) * 6)
        out.append((labels or {}).get(key, _row_label(key, "2021")).replace("“", "").replace("”", ""))
        out.append("".join(str(v) for v in (*row, sum(row))))
    return "".join(out)


def flat_report(
    values: dict[str, tuple[int, ...]] | None = None,
    labels: dict[str, str] | None = None,
    review: str = "0" * 15,
    docs: str = "101",
    section4: str = "四、政府信息公开行政复议、行政诉讼情况",
) -> str:
    return (
        "标题: 青河县测试局2023年度政府信息公开工作年度报告\n"
        "一、总体情况本局依法做好政府信息公开工作。"
        f"二、主动公开政府信息情况{ACTIVE.format(docs=docs)}"
        f"三、收到和处理政府信息公开申请情况{APP_HEAD}{_app_rows(values or {}, labels)}"
        f"{section4}{REVIEW_HEAD}{review}"
        "五、存在的主要问题及改进情况公开内容还不够丰富。六、其他需要报告的事项本年度未收取信息处理费。\n"
    )


def _extract(tmp_path: Path, text: str) -> Report:
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    return extract_path(str(path))


def _cells(report: Report, table: str) -> int:
    return sum(1 for p in report.cells if p[0] == table)


def _rules(report: Report) -> list[str]:
    return [f.rule for f in check_report(report, RULES)]


VALUES = {
    "received_new": (5, 1, 0, 0, 0, 0),
    "results.granted": (3, 1, 0, 0, 0, 0),
    "results.unavailable.not_held": (2, 0, 0, 0, 0, 0),
    "results.total": (5, 1, 0, 0, 0, 0),
}


def test_the_flattened_fixture_reads_completely(tmp_path: Path) -> None:
    report = _extract(tmp_path, flat_report(VALUES))
    assert (_cells(report, "applications"), _cells(report, "review"), _cells(report, "active")) == (175, 15, 10)
    assert [r for r in _rules(report) if r[0] in "ASPV"] == []


def test_row_wording_variants_are_the_template_rows_with_a_note(tmp_path: Path) -> None:
    labels = {
        "results.denied.law_forbidden": "2.其他法律和行政法规禁止公开",
        "results.other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请",
        "results.other.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再受理其政府信息公开申请",
    }
    values = dict(VALUES, **{"results.other.no_correction": (0, 0, 0, 0, 0, 0)})
    report = _extract(tmp_path, flat_report(values, labels))
    assert _cells(report, "applications") == 175
    rules = _rules(report)
    assert "S202" not in rules and "P005" not in rules
    notes = [p.message for p in report.problems if p.rule == "S203"]
    assert any("其他法律和行政法规禁止公开" in m for m in notes)
    assert any("不再受理" in m for m in notes)


def test_a_run_never_swallows_the_next_rows_numbering(tmp_path: Path) -> None:
    # an unknown wording after a run of zeros: the 2 of "2.…" numbers that row, it is not the run's last cell
    labels = {"results.denied.law_forbidden": "2.其他法律规定不得公开的"}
    report = _extract(tmp_path, flat_report(VALUES, labels))
    state_secret = {c: report.value(("applications", "results.denied.state_secret", c)) for c in layout.APP_COLUMNS}
    assert set(state_secret.values()) == {0}
    assert not any("00000002" in p.message for p in report.problems)


def test_review_run_of_fifteen_single_digits_is_read_and_its_error_found(tmp_path: Path) -> None:
    # 复议: 纠正 1 but 总计 0 — the sums cannot hold, yet fifteen digits for fifteen cells split one way
    report = _extract(tmp_path, flat_report(VALUES, review="010000000000000"))
    assert _cells(report, "review") == 15
    assert report.value(("review", "review", "corrected")) == 1
    findings = check_report(report, RULES)
    assert [(f.rule, f.location["row"]) for f in findings if f.rule == "A201"] == [("A201", "review")]
    assert not [f for f in findings if f.rule in ("S202", "P005")]


def test_section_heading_wording_variants_are_noted_not_missing(tmp_path: Path) -> None:
    for heading in ("四、政府信息公开行政复议与行政诉讼情况", "四、政府信息公开行政法复议、行政诉讼情况"):
        report = _extract(tmp_path, flat_report(VALUES, section4=heading))
        rules = _rules(report)
        assert "S101" not in rules and "S202" not in rules, heading
        assert "S103" in rules
        assert report.sections == ["一", "二", "三", "四", "五", "六"]


def test_glued_digits_with_several_splits_are_a_reading_limit(tmp_path: Path) -> None:
    report = _extract(tmp_path, flat_report(VALUES, docs="164640"))
    findings = check_report(report, RULES)
    p005 = [f for f in findings if f.rule == "P005"]
    assert len(p005) == 1 and "164640" in p005[0].message and p005[0].severity == "warning"
    assert p005[0].location["table"] == "active"
    assert "未能完整检查" in p005[0].message
    assert not [f for f in findings if f.rule == "S202"]


def test_problems_section_with_next_years_plan_is_section_five(tmp_path: Path) -> None:
    text = flat_report(VALUES).replace("五、存在的主要问题及改进情况", "五、存在的主要问题及明年工作计划")
    report = _extract(tmp_path, text)
    assert report.sections == ["一", "二", "三", "四", "五", "六"]
    assert "S101" not in _rules(report)


def test_json_says_when_a_report_could_not_be_fully_checked(tmp_path: Path) -> None:
    from checker.output import report_object

    report = _extract(tmp_path, flat_report(VALUES, docs="164640"))
    assert report_object(report, check_report(report, RULES), False)["fully_checked"] is False
    clean = _extract(tmp_path, flat_report(VALUES))
    assert report_object(clean, check_report(clean, RULES), False)["fully_checked"] is True


def test_mixed_editions_each_table_read_with_its_own_layout(tmp_path: Path) -> None:
    """A 2019 report (2019 table 二) whose table 三 is the 2021 one, with its three （六） sub-rows."""
    import random

    from checker.writers import ReportData, consistent_values, render

    def md(edition: str, year: int) -> str:
        values = consistent_values(edition, random.Random(4), blank_rate=0.0, max_count=50)
        return render(ReportData(edition, year, "青河县测试局", values), "md").decode("utf-8")

    old, new = md("2019", 2020), md("2021", 2021)

    def app_table(text: str) -> str:
        start = text.index("## 三、")
        return text[start : text.index("## 四、")]

    mixed = old.replace(app_table(old), app_table(new))
    path = tmp_path / "mixed.md"
    path.write_text(mixed, encoding="utf-8")
    report = extract_path(str(path))
    path.write_text(new, encoding="utf-8")
    clean = extract_path(str(path))
    assert report.edition == "2019"
    assert report.tables()["applications"] == clean.tables()["applications"]
    findings = check_report(report, RULES)
    e102 = [f for f in findings if f.rule == "E102"]
    assert len(e102) == 1 and "分为三行" in e102[0].message and "本年新制作数量" in e102[0].message
    assert [f for f in findings if f.rule in ("S202", "P005") or f.rule.startswith("A")] == []
    # the table is checked with its own layout: a wrong total is still found
    broken = mixed.replace(app_table(new), app_table(new).replace("| （七）总计 | ", "| （七）总计 | 1", 1))
    path.write_text(broken, encoding="utf-8")
    assert any(f.rule == "A102" for f in check_report(extract_path(str(path)), RULES))


def test_review_run_longer_than_any_value_splits_by_its_sums(tmp_path: Path) -> None:
    # seventeen digits for fifteen cells: 复议 维持 10, 总计 10 is the one split where every group adds up
    report = _extract(tmp_path, flat_report(VALUES, review="10000100000000000"))
    assert report.value(("review", "review", "upheld")) == 10 and report.value(("review", "review", "total")) == 10
    assert _cells(report, "review") == 15
    assert not [f for f in check_report(report, RULES) if f.rule in ("S202", "P005", "V101", "A201")]


def test_one_punctuation_mark_for_another_is_the_template_label() -> None:
    from checker.labels import vocabulary

    match = vocabulary().match("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请")
    assert match is not None and match.exact and match.term.key == "results.other.no_correction"
    inserted = vocabulary().match("2.其他法律、行政法规禁止公开")  # a mark added is still a wording note
    assert inserted is not None and not inserted.exact


def test_values_with_units_and_glued_to_their_labels(tmp_path: Path) -> None:
    head = "青河县测试局2019年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
    spaced = "第二十条第（九）项\n信息内容 采购项目数量 采购总金额\n政府集中采购 2笔 984361元\n"
    glued = "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购00元\n"
    fee = "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费9116.36\n"
    for body, items, amount in ((spaced, 2, 984361), (glued, 0, 0)):
        report = _extract(tmp_path, head + body)
        assert report.tables()["active"]["art20_9"] == {"procurement": {"items": items, "amount": amount}}
        assert not [p for p in report.problems if p.rule in ("S202", "P005")]
    report = _extract(tmp_path, head.replace("2019", "2022") + fee)
    assert str(report.value(("active", "art20_8", "fees", "amount"))) == "9116.36"


def test_enforcement_case_wording_is_the_enforcement_file_row(tmp_path: Path) -> None:
    labels = {"results.denied.enforcement_file": "7.属于行政执法案件"}
    report = _extract(tmp_path, flat_report(VALUES, labels))
    assert _cells(report, "applications") == 175
    assert any(p.rule == "S203" and "行政执法案件" in p.message for p in report.problems)
    assert not [p for p in report.problems if p.rule in ("S202", "P005")]


def test_flattened_review_table_one_row_per_group(tmp_path: Path) -> None:
    per_group = (
        "行政复议/行政诉讼结果维持结果纠正其他结果尚未审结总计行政复议10001"
        "行政诉讼-未经复议直接起诉02024行政诉讼-复议后起诉00000"
    )
    text = flat_report(VALUES).replace(REVIEW_HEAD + "0" * 15, per_group)
    report = _extract(tmp_path, text)
    assert _cells(report, "review") == 15
    assert [report.value(("review", "litigation_direct", c)) for c in layout.REVIEW_COLUMNS] == [0, 2, 0, 2, 4]
    assert not [f for f in check_report(report, RULES) if f.rule in ("S202", "P005", "S201")]


def test_a_list_of_section_titles_in_prose_is_not_a_heading(tmp_path: Path) -> None:
    intro = "本报告包括以下部分：\n五、存在的主要问题及改进情况、六、其他需要报告的事项等六部分。\n"
    text = flat_report(VALUES).replace("\n一、总体情况", "\n" + intro + "一、总体情况", 1)
    report = _extract(tmp_path, text)
    assert report.sections == ["一", "二", "三", "四", "五", "六"]
