"""`xxgk check --format html`: the findings page for drafters — content, cell ↔ finding links, no external
resources, and everything from the document escaped."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.engine import check_report, load_rules
from checker.extract import Report, extract_path
from checker.findings import Finding
from checker.formats import FORMATTERS
from checker.formats.html import render_report, report_view
from checker.interpret import CellRead, Parsed
from checker.model import Source
from checker.values import Value, parse_value

ROOT = Path(__file__).resolve().parent.parent
FAULTY = sorted((ROOT / "examples" / "faulty").glob("*"))
FAULTY_MD = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.md"
CLEAN_MD = ROOT / "examples" / "2022-qinghe-county.md"

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _results(paths, rules):
    out = []
    for path in paths:
        report = extract_path(str(path))
        out.append((report, check_report(report, rules)))
    return out


def _page(results, rules) -> str:
    return FORMATTERS["html"](results, rules)


def _dom(html: str):
    return lxml.html.document_fromstring(html)


def assert_self_contained(html: str) -> None:
    """Nothing is fetched: no scripts, no stylesheets or fonts by link, no remote src/href/url()."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered
    assert "@import" not in lowered
    assert "@font-face" not in lowered
    dom = _dom(html)
    for element in dom.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("src", "href", "action", "data", "poster", "srcset", "background", "formaction"):
            target = element.get(name)
            if target is not None:
                assert target.startswith("#"), f"<{element.tag} {name}={target!r}> refers outside the page"
    styles = [el.text or "" for el in dom.iter("style")] + [el.get("style") for el in dom.xpath("//*[@style]")]
    for style in styles:
        for m in re.finditer(r"url\(\s*([^)]*)\)", style, re.I):
            target = m.group(1).strip("'\" ")
            assert "//" not in target and not target.lower().startswith(("http", "data")), m.group(0)
    # and in the raw text too: no src=/href=/url() that leaves the page
    assert not re.search(r"""<[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", html, re.I)


def _ids(dom) -> list[str]:
    return [el.get("id") for el in dom.iter() if isinstance(el.tag, str) and el.get("id")]


# -- the faulty examples ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FAULTY, ids=lambda p: p.suffix)
def test_faulty_example_page(path: Path, rules) -> None:
    results = _results([path], rules)
    findings = results[0][1]
    assert findings, "the faulty example has findings"
    html = _page(results, rules)
    assert_self_contained(html)
    dom = _dom(html)
    ids = _ids(dom)
    assert len(ids) == len(set(ids)), "anchor ids are unique"

    # header
    assert "结论：需要修改" in html
    errors = sum(1 for f in findings if f.severity == "error")
    head = dom.get_element_by_id("r1").find_class("report-head")[0].text_content()
    assert f"错误 {errors} 个" in " ".join(head.split())
    assert "青河县教育局" in head and "2022" in head and "2021年版格式" in head

    # the findings in document order (as the drafter reads the report), each with rule id, title, fix, basis
    cards = dom.find_class("finding")
    assert len(cards) == len(findings)
    from checker.formats import sort_findings

    assert [c.find_class("rule")[0].text_content() for c in cards] == [f.rule for f in sort_findings(findings)]
    shown_rules = [c.find_class("rule")[0].text_content() for c in cards]
    assert sorted(shown_rules) == sorted(f.rule for f in findings)
    for card in cards:
        rule = rules[card.find_class("rule")[0].text_content()]
        text = card.text_content()
        assert rule.title in text
        assert rule.basis in text
        assert "{" not in text, "fix hints have their placeholders filled"

    # expected values and the links both ways between a finding and its cell
    by_rule = {c.find_class("rule")[0].text_content(): c for c in cards}
    for f in findings:
        if f.expected is None:
            continue
        card = by_rule[f.rule]
        assert f"应为：{f.expected}" in " ".join(card.text_content().split())
    for card in cards:
        links = [a.get("href") for a in card.find_class("goto")[0].iter("a")] if card.find_class("goto") else []
        assert links, f"finding {card.get('id')} links to its place"
        target = dom.get_element_by_id(links[0][1:])
        if target.tag == "td":
            assert "hit" in target.get("class").split()
            back = [a.get("href") for a in target.iter("a")]
            assert f"#{card.get('id')}" in back, "the highlighted cell links back to the finding"

    # the cells of the faulty draft: A102 at （一）予以公开/总计, A101 at 结转下年度/自然人, V103 blank 行政强制
    a102 = dom.get_element_by_id("r1-c-applications-results_granted-total")
    # the correction is shown in place: the value read, struck through, and the value expected
    assert "hit-error" in a102.get("class") and a102.find_class("v")[0].text_content() == "11→10"
    assert a102.xpath(".//s")[0].text == "11" and a102.xpath(".//ins")[0].text == "10"
    a101 = dom.get_element_by_id("r1-c-applications-carried_forward-natural_person")
    assert "hit-error" in a101.get("class") and a101.find_class("v")[0].text_content() == "4→2"
    blank = dom.get_element_by_id("r1-c-active-art20_6-coercion-decisions")
    assert "blank" in blank.get("class").split() and "hit-warning" in blank.get("class")
    assert blank.find_class("v")[0].text_content() == "空"
    # the related cells of an arithmetic finding are marked too, with a dashed outline
    assert dom.find_class("related")

    # outline: 五 is missing, the other five are found, in order
    outline = [li for li in dom.find_class("outline")[0].iter("li")]
    assert [li.get("class") for li in outline] == ["found"] * 4 + ["missing", "found"]
    assert "五、存在的主要问题及改进情况" in outline[4].text_content()
    s101 = by_rule["S101"]
    assert "按模板补充“五、存在的主要问题及改进情况”部分及其标题" in s101.text_content()
    assert s101.find_class("goto")[0].find("a").get("href") == "#r1-s-5"

    # where: the template's own labels
    assert "三、本年度办理结果 › （一）予以公开" in by_rule["A102"].text_content()
    assert "第二十条第（六）项" in by_rule["V103"].text_content()

    # the three tables in the template's layout, with the merged cells
    assert [t.get("id") for t in dom.find_class("table-block")] == ["r1-t-active", "r1-t-applications", "r1-t-review"]
    app = dom.get_element_by_id("r1-t-applications")
    assert app.xpath(".//th[@rowspan='3' and @colspan='3']"), "the 勾稽 note spans 3×3"
    assert app.xpath(".//th[@rowspan='22' and contains(., '三、本年度办理结果')]"), "2021: 办理结果 spans 22 rows"
    review = dom.get_element_by_id("r1-t-review")
    assert len(review.xpath(".//td")) == 15


def test_cli_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "findings.html"
    result = CliRunner().invoke(main, ["check", str(FAULTY_MD), "--format", "html", "-o", str(out)])
    assert result.exit_code == 1, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "A101" in html and "A102" in html and "S101" in html and "V103" in html
    assert "@media print" in html and "size: A4" in html
    assert_self_contained(html)


def test_clean_report_is_publishable(rules) -> None:
    results = _results([CLEAN_MD], rules)
    assert not any(f.severity == "error" for f in results[0][1])
    html = _page(results, rules)
    assert "结论：可以发布" in html
    assert "verdict-ok" in html
    dom = _dom(html)
    assert not dom.find_class("hit")
    assert len(dom.find_class("found")) == 6


def test_several_reports_on_one_page(rules) -> None:
    results = _results([FAULTY_MD, CLEAN_MD], rules)
    html = _page(results, rules)
    dom = _dom(html)
    assert [s.get("id") for s in dom.find_class("report")] == ["r1", "r2"]
    ids = _ids(dom)
    assert len(ids) == len(set(ids))
    overview = dom.find_class("overview")[0].text_content()
    assert "需要修改" in overview and "可以发布" in overview
    assert "共检查 2 份报告：可以发布 1 份，需要修改 1 份" in html
    # the per-report part is reusable on its own (batch review)
    fragment = render_report(*results[1], rules, index=7)
    assert fragment.lstrip().startswith('<section class="report" id="r7"')
    assert "<html" not in fragment and "<style" not in fragment


def test_unread_cells_and_missing_table(tmp_path: Path, rules) -> None:
    """A lost row shows 未读取 (not 空); a table that is absent is said to be absent."""
    text = FAULTY_MD.read_text(encoding="utf-8").replace("| 行政处罚 | 3 |", "| 行政处罚 | 见附件 |", 1)
    report = Report(path="draft.md", format="md", edition="2021", year=2022, agency="青河县教育局")
    report.sections = ["一", "二", "三", "四", "五", "六"]
    report.cells = {
        ("active", "art20_1", "rules", "issued"): CellRead(
            ("active", "art20_1", "rules", "issued"), parse_value("3"), Source(line=20)
        ),
        ("active", "art20_1", "rules", "repealed"): CellRead(
            ("active", "art20_1", "rules", "repealed"), parse_value("—"), Source(line=20)
        ),
    }
    report.parsed = Parsed(tables={"active": Source(line=18)})
    findings = [
        Finding("S201", "error", "未找到收到和处理政府信息公开申请情况表", {"section": "三", "table": "applications"}),
    ]
    html = _page([(report, findings)], rules)
    dom = _dom(html)
    assert dom.get_element_by_id("r1-c-active-art20_1-rules-issued").text_content() == "3"
    repealed = dom.get_element_by_id("r1-c-active-art20_1-rules-repealed")
    assert "blank" in repealed.get("class").split()
    unread = dom.get_element_by_id("r1-c-active-art20_1-rules-in_force")
    assert "unread" in unread.get("class").split() and unread.text_content() == "未读取"
    absent = dom.get_element_by_id("r1-t-applications").text_content()
    assert "文件中没有找到此表" in absent
    card = dom.find_class("finding")[0]
    assert card.find_class("goto")[0].find("a").get("href") == "#r1-t-applications"
    assert "按模板在相应部分插入第三部分表格（收到和处理政府信息公开申请情况）" in card.text_content()

    # the same from a real document: the 行政处罚 row holds text the reader cannot place, so its cell is
    # unread, and the S202 finding about it points into 表二
    draft = tmp_path / "draft.md"
    draft.write_text(text, encoding="utf-8")
    results = _results([draft], rules)
    dom = _dom(_page(results, rules))
    cell = dom.get_element_by_id("r1-c-active-art20_6-penalty-decisions")
    assert "unread" in cell.get("class").split()
    s202 = [c for c in dom.find_class("finding") if c.find_class("rule")[0].text_content() == "S202"]
    assert s202
    assert all(c.find_class("goto")[0].find("a").get("href").startswith(("#r1-t-active", "#r1-b-")) for c in s202)


def test_unreadable_and_legacy(tmp_path: Path, rules) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    results = _results([broken], rules)
    html = _page(results, rules)
    assert "文件无法读取" in html
    assert "结论：需要修改" in html
    assert_self_contained(html)


# -- escaping -------------------------------------------------------------------------------------------------------


def _assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    dom = _dom(html)
    assert not dom.xpath("//script | //img | //iframe | //object | //embed")
    assert not dom.xpath("//@*[starts-with(name(), 'on')]")
    assert_self_contained(html)


def test_document_text_is_escaped(tmp_path: Path, rules) -> None:
    text = FAULTY_MD.read_text(encoding="utf-8")
    text = text.replace("# 青河县教育局2022年", f"# 青河县教育局{SCRIPT}2022年", 1)
    text = text.replace("全年新收政府信息公开申请20件", f"全年新收政府信息公开申请20件{SCRIPT}{IMG}", 1)
    text = text.replace("| 行政处罚 | 3 |", f"| 行政处罚 | {IMG} |", 1)  # a cell of 表二
    path = tmp_path / "injected.md"
    path.write_text(text, encoding="utf-8")
    results = _results([path], rules)
    report, _ = results[0]
    assert SCRIPT in (report.title or "")
    html = _page(results, rules)
    _assert_escaped(html)
    assert "onerror=alert(1)&gt;”不是模板中的行" in html  # the cell text, quoted in a finding


def test_cells_and_findings_are_escaped(rules) -> None:
    """Text in a value cell (V101), in the agency, title, section heading and a finding's message."""
    path = ("applications", "received_new", "natural_person")
    report = Report(path=f"{IMG}.md", format="md", edition="2021", year=2022, agency=f"青河县{SCRIPT}")
    report.title = f"{IMG}年度报告"
    report.cells = {path: CellRead(path, Value(IMG), Source(line=3))}
    report.sections = ["一"]
    report.parsed = Parsed(tables={"applications": Source(line=1)})
    findings = [
        Finding(
            "V101",
            "error",
            f"“一、本年新收”行“自然人”列不是数字：{IMG}{SCRIPT}",
            {"section": "三", "table": "applications", "row": path[1], "column": path[2], "line": 3},
            expected=SCRIPT,
            actual=IMG,
        )
    ]
    html = _page([(report, findings)], rules)
    _assert_escaped(html)
    dom = _dom(html)
    cell = dom.get_element_by_id("r1-c-applications-received_new-natural_person")
    assert cell.find_class("v")[0].text_content() == IMG  # shown as the characters it is
    assert "text" in cell.get("class").split() and "hit-error" in cell.get("class")
    assert report_view(report, findings, rules).findings[0].target == cell.get("id")


def test_a_report_with_unread_cells_is_never_publishable(rules) -> None:
    """Cells the file did not let us read (P005) were not checked: the verdict says so instead of 可以发布."""
    report, findings = _results([CLEAN_MD], rules)[0]
    assert not any(f.severity == "error" for f in findings)
    unread = Finding("P005", "warning", "第二部分表格中有单元格未能从文件中读取", {"section": "二", "table": "active"})
    results = [(report, [*findings, unread])]
    html = _page(results, rules)
    assert "结论：未能完整检查" in html and "结论：可以发布" not in html
    assert "verdict-partial" in html
    assert "未能完整检查 1 份" in html and "可以发布 0 份" not in html
    assert "未能完整检查 1 个" in FORMATTERS["text"](results, rules)
    # the same report without the P005 finding may be published
    assert "结论：可以发布" in _page([(report, findings)], rules)
