"""The review folder of `xxgk batch`: the dashboard (sorting and filtering in headless Chromium, readable without
JavaScript, nothing external, everything escaped), the spreadsheets and the region's aggregate tables."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from lxml import html as lxml_html
from test_batch import make_region, plant_carry_over

from checker import layout
from checker.batch import run_batch
from checker.batch.dashboard import dashboard, report_page
from checker.batch.outputs import Item, aggregate
from checker.batch.sheets import summary_csv, summary_xlsx
from checker.batch.store import make_record
from checker.engine import check_report, load_rules, report_from_example

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
AGENCIES = ("青河县教育局", "青河县财政局", "白水县交通运输局", "白水县教育局")


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("review")

    def tweak(a: str, y: int, values: dict, texts: dict) -> None:
        plant_carry_over("青河县财政局", 2022, "research", 2)(a, y, values, texts)
        plant_carry_over("白水县教育局", 2023, "natural_person", 1)(a, y, values, texts)
        plant_carry_over("白水县教育局", 2023, "commercial", 3)(a, y, values, texts)

    values = make_region(base / "in", agencies=AGENCIES, years=(2021, 2022, 2023), tweak=tweak)
    run_batch([str(base / "in")], base / "out", jobs=2)
    return base / "out", values


def rows_of(doc: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    return doc.xpath('//table[@id="report-table"]/tbody/tr')


def dump_dom(url: str) -> lxml_html.HtmlElement:
    assert CHROMIUM is not None
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--dump-dom", url],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return lxml_html.fromstring(proc.stdout.decode("utf-8"))


def test_plain_table_is_complete_without_javascript(review: tuple[Path, dict]) -> None:
    out, values = review
    doc = lxml_html.parse(str(out / "index.html")).getroot()
    rows = rows_of(doc)
    assert len(rows) == len(values) == 12
    assert not any(r.get("hidden") is not None for r in rows)
    agencies = [r.xpath("td[1]")[0].text_content() for r in rows]
    assert agencies == sorted(agencies)  # agency, then year: a readable order as written
    links = [r.xpath(".//a/@href")[0] for r in rows]
    assert all((out / unquote(link)).is_file() for link in links)
    x101 = [r for r in rows if "X101" in (r.get("data-rules") or "")]
    assert len(x101) == 2


def test_nothing_external_and_script_allowed_by_hash_only(review: tuple[Path, dict]) -> None:
    out, _ = review
    pages = [out / "index.html", out / "aggregate.html", *sorted((out / "reports").glob("*.html"))]
    for page in pages:
        doc = lxml_html.parse(str(page)).getroot()
        assert not doc.xpath("//link | //img | //iframe | //object | //embed"), page
        for attr in doc.xpath("//@src | //@href"):
            assert not attr.startswith(("http:", "https:", "//")), (page, attr)
        assert "@import" not in page.read_text(encoding="utf-8")
        assert not doc.xpath("//script[@src]"), page
    index = (out / "index.html").read_text(encoding="utf-8")
    csp = lxml_html.fromstring(index).xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert "default-src 'none'" in csp and "'sha256-" in csp and "unsafe-inline'; img" not in csp.split("script-src")[1]
    assert "<svg" in index and index.count("<svg") >= 3  # pass share, findings by rule, years


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_sort_and_filter_from_the_url_in_chromium(review: tuple[Path, dict]) -> None:
    out, _ = review
    url = (out / "index.html").as_uri() + "#sort=errors-desc&filter=" + quote("青河")
    doc = dump_dom(url)
    rows = rows_of(doc)
    visible = [r for r in rows if r.get("hidden") is None]
    hidden = [r for r in rows if r.get("hidden") is not None]
    assert len(visible) == 6 and len(hidden) == 6
    assert all("青河" in r.xpath("td[1]")[0].text_content() for r in visible)
    assert all("青河" not in r.xpath("td[1]")[0].text_content() for r in hidden)
    errors = [int(r.xpath("td[5]")[0].text_content()) for r in visible]
    assert errors == sorted(errors, reverse=True) and errors[0] == 2
    assert doc.xpath('//th[@data-key="errors"]/@aria-sort') == ["descending"]
    assert "6 / 12" in doc.xpath('//*[@id="shown"]')[0].text_content()

    # query parameters work as well; the year column sorts numerically; rule ids filter by data-rules
    doc = dump_dom((out / "index.html").as_uri() + "?sort=year-asc&filter=X101")
    visible = [r for r in rows_of(doc) if r.get("hidden") is None]
    assert [r.xpath("td[2]")[0].text_content() for r in visible] == ["2022", "2023"]
    doc = dump_dom((out / "index.html").as_uri() + "#sort=agency-desc")
    agencies = [r.xpath("td[1]")[0].text_content() for r in rows_of(doc)]
    assert all(r.get("hidden") is None for r in rows_of(doc))
    assert agencies[0] != sorted(agencies)[0] and len(set(agencies[:3])) == 1


def test_aggregate_sums_the_region_per_year(review: tuple[Path, dict]) -> None:
    out, values = review
    doc = json.loads((out / "aggregate.json").read_text(encoding="utf-8"))
    years = {g["year"]: g for g in doc["years"]}
    assert sorted(years) == [2021, 2022, 2023]
    for year, group in years.items():
        assert group["reports"] == 4 and group["agencies"] == 4 and group["edition"] == "2021"
        for row in layout.APP_ROWS["2021"]:
            for col in layout.APP_COLUMNS:
                expected = sum(v[("applications", row, col)] for (a, y), v in values.items() if y == year)
                assert group["applications"][row][col] == expected, (year, row, col)
        for row in layout.REVIEW_ROWS:
            expected = sum(v[("review", row, "total")] for (a, y), v in values.items() if y == year)
            assert group["review"][row]["total"] == expected
    page = lxml_html.parse(str(out / "aggregate.html")).getroot()
    assert len(page.xpath("//section/h2")) == 3
    total_2022 = years[2022]["applications"]["received_new"]["total"]
    first_rows = page.xpath('//section[@id="y2022-2021"]//table[1]//tr')
    received = next(r for r in first_rows if "本年新收" in r.text_content())
    assert received.xpath("td")[-1].text_content() == str(total_2022)


def test_summary_and_tables_one_row_per_report(review: tuple[Path, dict]) -> None:
    out, values = review
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel on Windows reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 12
    broken = {r["文件"].rsplit("/", 1)[-1].split(".")[0]: r for r in rows if r["错误"] != "0"}
    assert set(broken) == {"2022-青河县财政局", "2023-白水县教育局"}
    assert broken["2023-白水县教育局"]["主要问题"] == "X101 上年结转与上一年度报告的结转下年度不一致×3"
    assert broken["2023-白水县教育局"]["结论"] == "需要修改"
    tables_raw = (out / "tables.csv").read_bytes()
    assert tables_raw.startswith(b"\xef\xbb\xbf")
    tables = list(csv.reader(io.StringIO(tables_raw.decode("utf-8-sig"))))
    header = tables[0]
    assert len(tables) == 13 and header[:5] == ["文件", "文件类型", "格式版本", "年度", "机关"]
    assert not any("." in h and h.isascii() for h in header)  # no programmer keys
    column = header.index("表三·四、结转下年度继续办理·科研机构")
    one = next(t for t in tables[1:] if "2021-青河县教育局" in t[0])
    want = values[("青河县教育局", 2021)][("applications", "carried_forward", "research")]
    assert one[column] == str(want)


def test_workbook_has_three_chinese_sheets_one_row_per_finding(review: tuple[Path, dict]) -> None:
    from openpyxl import load_workbook

    out, _values = review
    book = load_workbook(out / "summary.xlsx")
    assert book.sheetnames == ["报告", "问题", "表格数据"]
    reports, problems, tables = (book[name] for name in book.sheetnames)
    got = list(reports.iter_rows(values_only=True))
    assert got[0][:4] == ("文件", "机关", "机关（跨年度对应名称）", "年度") and len(got) == 13
    findings = [f for o in map(json.loads, (out / "findings.jsonl").read_text(encoding="utf-8").splitlines())
                for f in o["findings"]]  # fmt: skip
    rows = list(problems.iter_rows(values_only=True))
    assert rows[0][:11] == ("机关", "年度", "规则", "规则名称", "级别", "部分", "行", "列", "应为", "现为", "说明")
    assert len(rows) - 1 == len(findings) == 5  # X101 on two columns of one report, three of another
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["规则"] == "X101" and first["级别"] == "错误" and first["部分"].startswith("三、")
    assert first["行"] == "二、上年结转政府信息公开申请数量" and first["列"] in (
        "自然人",
        "商业企业",
        "科研机构",
        "总计",
    )
    assert isinstance(first["应为"], int) and first["说明"] and first["修改建议"]
    assert next(tables.iter_rows(values_only=True))[5].startswith("表二·")
    for sheet in (reports, problems, tables):
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert sheet.column_dimensions["A"].width >= 8


def _item(agency: str, path: str) -> Item:
    report = report_from_example({"year": 2022, "agency": agency, "cells": {}})
    report.path = path
    rules = load_rules()
    record = make_record(report, check_report(report, rules), "0" * 64)
    from checker.batch.store import findings_from_record

    return Item(record, findings_from_record(record), key=agency, page="reports/x.html")


def test_document_text_is_escaped_everywhere(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    item = _item(hostile + "局", f"reports/{hostile}.md")
    rules = load_rules()
    for page in (dashboard([item], rules, aggregate([item]), {"checked": 1, "cached": 0}), report_page(item, rules)):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page
        doc = lxml_html.fromstring(page)
        assert not doc.xpath("//img")
        assert len(doc.xpath("//script")) <= 1 and not doc.xpath("//script[contains(., 'alert')]")


def test_spreadsheets_never_hold_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    item = _item('=HYPERLINK("http://example.invalid","点击")', "-2+3.md")
    rules = load_rules()
    text = summary_csv([item], rules)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["机关"].startswith("'=") and row["文件"] == "'-2+3.md"
    summary_xlsx([item], rules, tmp_path / "s.xlsx")
    sheet = load_workbook(tmp_path / "s.xlsx")["报告"]
    cells = {c.value: c.data_type for c in sheet[2]}
    assert cells['=HYPERLINK("http://example.invalid","点击")'] == "s"


def test_per_report_page_without_the_html_format(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import formats

    monkeypatch.delitem(formats.FORMATTERS, "html", raising=False)
    item = _item("青河县教育局", "a.md")
    page = report_page(item, load_rules())
    assert "返回批量检查结果" in page and "青河县教育局" in page


def test_a_report_read_by_ocr_is_marked_on_the_dashboard_and_its_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import formats
    from checker.batch.outputs import record_object
    from checker.output import OCR_BANNER

    scan, text = _item("青河县教育局", "scan.pdf"), _item("青河县财政局", "b.md")
    scan.record["ocr"] = True
    rules = load_rules()
    page = dashboard([scan, text], rules, aggregate([scan, text]), {"checked": 2, "cached": 0})
    assert page.count('class="badge-ocr"') == 1 and "文字识别 <b>1</b> 份" in page
    plain = dashboard([text], rules, aggregate([text]), {"checked": 1, "cached": 0})
    assert "badge-ocr" not in plain.split("</style>")[-1] and "文字识别 <b>" not in plain
    assert OCR_BANNER in report_page(scan, rules) and OCR_BANNER not in report_page(text, rules)
    monkeypatch.delitem(formats.FORMATTERS, "html", raising=False)  # the batch's own minimal page says it too
    assert OCR_BANNER in report_page(scan, rules) and OCR_BANNER not in report_page(text, rules)
    obj = record_object(scan.record, [])
    assert obj["ocr"] is True and list(obj)[7:] == ["ocr", "tables", "findings"]  # where ``check`` puts it
    assert "ocr" not in record_object(text.record, [])
