"""HTML reader: decoding, choosing the report inside site chrome, blocks, and the rowspan/colspan grid."""

from __future__ import annotations

import contextlib
import random
import time
from pathlib import Path

import pytest
from conftest import SHARED_CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.model import Block, Document, ReadError
from checker.normalize import label_text
from checker.readers import html as html_reader
from checker.readers import read as read_path
from checker.readers.decode import LOSSY_SUFFIX, decode_bytes, sniff_declared

FIXTURES = Path(__file__).parent / "fixtures" / "html"
CORPUS = SHARED_CORPUS


def read_fixture(name: str) -> Document:
    path = FIXTURES / name
    return html_reader.read(path.read_bytes(), str(path))


def read_html(markup: str, encoding: str = "utf-8") -> Document:
    return html_reader.read(markup.encode(encoding), "snippet.html")


def tables(doc: Document) -> list[Block]:
    return [b for b in doc.blocks if b.kind == "table"]


def texts(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if b.kind != "table"]


def grid_texts(block: Block) -> list[list[str]]:
    return [[cell.text for cell in row] for row in block.rows]


def all_text(doc: Document) -> str:
    parts = texts(doc)
    for block in tables(doc):
        parts.extend(cell.text for row in block.rows for cell in row)
    return "\n".join(parts)


def line_of(name: str, needle: str) -> int:
    for number, line in enumerate((FIXTURES / name).read_text("utf-8").splitlines(), start=1):
        if needle in line and "<script" not in line:
            return number
    raise AssertionError(needle)


SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


# ------------------------------------------------------------------------------------------------------------
# Whole pages


def test_2019_page_sections_tables_and_title() -> None:
    doc = read_fixture("report_2019_chrome.html")
    assert doc.format == "html"
    assert doc.title == "示例区数据资源局2019年政府信息公开工作年度报告_政府信息公开年报_示例区人民政府"
    paragraphs = texts(doc)
    positions = [paragraphs.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    found = tables(doc)
    assert [t.source.table for t in found] == [1, 2, 3]
    assert [(len(t.rows), len(t.rows[0])) for t in found] == [(18, 4), (26, 10), (4, 15)]
    kinds = [b.kind for b in doc.blocks]
    # each table sits right after its section heading
    for section, number in zip(SECTIONS[1:4], (1, 2, 3), strict=True):
        index = next(i for i, b in enumerate(doc.blocks) if b.text == section)
        assert kinds[index + 1] == "table" and doc.blocks[index + 1].source.table == number


def test_site_chrome_is_left_out() -> None:
    doc = read_fixture("report_2019_chrome.html")
    text = all_text(doc)
    for chrome in ("首页", "政务公开", "当前位置", "相关链接", "2018年政府信息公开工作年度报告", "主办单位",
                   "网站标识码", "分享到", "微信", "打印本页", "关闭窗口"):  # fmt: skip
        assert chrome not in text, chrome
    # the script in <head> quotes a section heading; it must not become a block
    assert texts(doc).count("一、总体情况") == 1


def test_line_numbers_point_into_the_file() -> None:
    doc = read_fixture("report_2019_chrome.html")
    heading = next(b for b in doc.blocks if b.text == "一、总体情况")
    assert heading.source.line == line_of("report_2019_chrome.html", "<p><strong>一、总体情况")
    table = tables(doc)[1]
    note = table.rows[0][0]
    assert note.source.line == line_of("report_2019_chrome.html", 'td rowspan="3" colspan="3"')
    assert table.source.line == note.source.line - 1  # <table> is on the line before its first row


def test_br_splits_paragraphs() -> None:
    doc = read_fixture("report_2019_chrome.html")
    paragraphs = texts(doc)
    assert "(一)主动公开。全年主动公开政府信息126条。" in paragraphs
    assert "(二)依申请公开。全年新收申请25件。" in paragraphs


def test_2021_gb2312_page_with_article_title_meta() -> None:
    doc = read_fixture("report_2021_gb2312.html")
    assert doc.title == "示例县农业农村局2023年政府信息公开工作年度报告"
    assert not doc.problems
    assert all(section in texts(doc) for section in SECTIONS)
    assert [(len(t.rows), len(t.rows[0])) for t in tables(doc)] == [(14, 4), (28, 10), (4, 15)]
    assert texts(doc)[-2:] == ["示例县农业农村局", "2024年1月15日"]
    assert "网站标识码" not in all_text(doc)


def test_traditional_page_is_folded_and_layout_tables_flattened() -> None:
    raw = (FIXTURES / "report_2021_traditional.html").read_text("utf-8")
    assert "總體情況" in raw and "０" in raw  # the fixture really is traditional, with full-width digits
    doc = read_fixture("report_2021_traditional.html")
    assert doc.title == "示例镇人民政府2022年政府信息公开工作年度报告"
    assert all(section in texts(doc) for section in SECTIONS)
    # the page is laid out with nested tables: only the three report tables come out as tables
    found = tables(doc)
    assert [t.source.table for t in found] == [1, 2, 3]
    apply = found[1]
    assert label_text(apply.rows[3][0].text) == "一、本年新收政府信息公开申请数量"
    assert [c.text for c in apply.rows[3][3:]] == ["20", "3", "0", "1", "0", "1", "25"]
    assert found[0].rows[13][1].text == "12.5"
    assert "首页" not in all_text(doc) and "版权所有" not in all_text(doc)


def test_registry_reads_html_by_extension() -> None:
    doc = read_path(str(FIXTURES / "report_2021_gb2312.html"))
    assert doc.format == "html" and len(tables(doc)) == 3


# ------------------------------------------------------------------------------------------------------------
# Grid expansion


def test_merged_cells_fill_every_position_and_only_the_first_counts() -> None:
    table = tables(read_fixture("report_2019_chrome.html"))[1]
    note = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
    for r in range(3):
        for c in range(3):
            cell = table.rows[r][c]
            assert cell.text == note
            assert cell.spanned == ((r, c) != (0, 0))
            assert (cell.source.row, cell.source.col) == (r + 1, c + 1)
    assert [c.text for c in table.rows[0][3:]] == ["申请人情况"] * 7
    assert [c.spanned for c in table.rows[0][3:]] == [False] + [True] * 6
    applicants = ["自然人", "商业 企业", "科研 机构", "社会公益 组织", "法律服务 机构", "其他", "总计"]
    assert grid_texts(table)[2][3:] == applicants
    assert [table.rows[2][c].spanned for c in (3, 4, 9)] == [True, False, True]
    # 三、本年度办理结果 spans 20 rows in the 2019 edition, （三）不予公开 spans 8
    results = [row[0] for row in table.rows[5:25]]
    assert {c.text for c in results} == {"三、本年度 办理结果"}
    assert [c.spanned for c in results] == [False] + [True] * 19
    assert table.rows[25][0].text == "四、结转下年度继续办理"
    assert [row[1].text for row in table.rows[7:15]] == ["(三)不予公开"] * 8
    assert table.rows[7][2].text == "1.属于国家秘密"
    assert table.rows[7][2].source.cell == "T2!C8"


def test_labels_broken_by_br_are_joined_with_a_space() -> None:
    table = tables(read_fixture("report_2019_chrome.html"))[0]
    header = grid_texts(table)[1]
    assert header == ["信息内容", "本年新 制作数量", "本年新 公开数量", "对外公开 总数量"]
    assert [label_text(text) for text in header[1:]] == ["本年新制作数量", "本年新公开数量", "对外公开总数量"]


def test_malformed_spans_survive() -> None:
    doc = read_fixture("malformed_spans.html")
    (table,) = tables(doc)
    grid = grid_texts(table)
    assert len(grid) == 7
    assert all(len(row) == len(grid[0]) for row in grid)  # rectangular
    assert len(grid[0]) == html_reader.MAX_COLS  # colspan=5000 is capped
    # rowspan="0" runs to the last row; the copies are spanned
    assert [row[3] for row in grid] == ["行政复议"] * 7
    assert [row[3].spanned for row in table.rows] == [False] + [True] * 6
    # negative, non-numeric and zero spans count as 1
    assert grid[1][:3] == ["负", "字母", "零"]
    # rowspan="99999" stops at the last row
    assert [row[0] for row in grid[2:]] == ["长"] * 5
    # the wide cell skips the position an earlier rowspan holds
    assert grid[2][1:6] == ["宽", "宽", "行政复议", "宽", "宽"]
    # ragged row padded with blank cells that are not spans
    assert grid[3][1:3] == ["短", ""] and not table.rows[3][2].spanned
    # &nbsp; is a blank value, kept as a cell
    assert grid[4][1:3] == ["", ""] and table.rows[4][2].spanned
    # overlap: the earlier cell keeps its position, the later row continues after it
    assert grid[5][1:6] == ["叠", "叠", "行政复议", "重", "尾"]
    # tfoot rows are read, rowspan=" 2px" parsed leniently and capped at the last row
    assert grid[6][1:5] == ["脚", "", "行政复议", "二"]


def test_thead_tbody_tfoot_rows_in_order() -> None:
    doc = read_html(
        "<table><thead><tr><th>信息内容</th><th>数量</th></tr></thead>"
        "<tbody><tr><td>规章</td><td>1</td></tr></tbody><tfoot><tr><td>合计</td><td>1</td></tr></tfoot></table>"
    )
    assert grid_texts(tables(doc)[0]) == [["信息内容", "数量"], ["规章", "1"], ["合计", "1"]]


def test_huge_spans_stay_bounded() -> None:
    rows = "".join(f"<tr><td>{i}</td><td>x</td></tr>" for i in range(3000))
    doc = read_html(f'<table><tr><td rowspan="0" colspan="1000">宽</td></tr>{rows}</table>')
    (table,) = tables(doc)
    assert len(table.rows) == 3001
    assert len(table.rows) * len(table.rows[0]) <= 4 * html_reader.MAX_GRID_CELLS


def test_cell_text_inline_elements_join_and_entities_fold() -> None:
    doc = read_html(
        "<table><tr><td><p>法律</p><p>服<span>务</span></p><p>机构</p></td><td>&nbsp;</td>"
        "<td>１２</td><td>本年增/減</td><td></td></tr></table>"
    )
    assert grid_texts(tables(doc)[0]) == [["法律 服务 机构", "", "12", "本年增/减", ""]]


def test_nested_tables_are_layout_and_flattened() -> None:
    doc = read_html(
        "<table><tr><td><p>一、总体情况</p><p>正文第一段。</p></td><td>第二栏</td></tr>"
        "<tr><td><table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table>"
        "<p>正文第二段。</p></td><td>第四栏</td></tr></table>"
    )
    assert [b.kind for b in doc.blocks] == ["paragraph"] * 3 + ["table"] + ["paragraph"] * 2
    assert texts(doc) == ["一、总体情况", "正文第一段。", "第二栏", "正文第二段。", "第四栏"]
    table = tables(doc)[0]
    assert table.source.table == 1 and grid_texts(table) == [["信息内容", "本年制发件数"], ["规章", "0"]]


def test_layout_cell_holding_the_whole_report_wins_over_its_sidebar() -> None:
    doc = read_html(
        "<table><tr><td><p>一、总体情况</p><p>正文。</p>"
        "<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table></td>"
        "<td><p>侧栏文字</p></td></tr></table>"
    )
    assert texts(doc) == ["一、总体情况", "正文。"]
    assert len(tables(doc)) == 1


def test_single_column_table_is_layout() -> None:
    doc = read_html("<table><tr><td><p>一、总体情况</p></td></tr><tr><td>正文<br>第二行</td></tr></table>")
    assert [b.kind for b in doc.blocks] == ["paragraph"] * 3
    assert texts(doc) == ["一、总体情况", "正文", "第二行"]


# ------------------------------------------------------------------------------------------------------------
# Blocks


def test_headings_paragraphs_and_links() -> None:
    doc = read_html(
        "<body><h2>示例报告</h2><div>直接写在div里的文字<p>段落<a href='/x'>内联链接</a>的其余文字很长很长</p></div>"
        "<p><a href='/a'>导航一</a> <a href='/b'>导航二</a></p><ul><li>列表项</li></ul>"
        "<p><a name='t1'>锚点不是链接</a></p></body>"
    )
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "示例报告"),
        ("paragraph", "直接写在div里的文字"),
        ("paragraph", "段落内联链接的其余文字很长很长"),
        ("paragraph", "列表项"),
        ("paragraph", "锚点不是链接"),
    ]


def test_page_without_a_report_still_yields_text() -> None:
    doc = read_html(
        "<body><div class='nav'><a href='/'>首页</a><a href='/n'>新闻</a></div>"
        "<div class='c'><h1>关于开展春季植树活动的通知</h1><p>各单位：现将有关事项通知如下。</p></div>"
        "<div class='f'>版权所有</div></body>"
    )
    assert texts(doc)[:2] == ["关于开展春季植树活动的通知", "各单位:现将有关事项通知如下。"]
    assert "首页" not in all_text(doc)


def test_title_prefers_article_title_meta() -> None:
    doc = read_html(
        '<html><head><title>年报_某站</title><meta name="ArticleTitle" content="２０２１年年報"></head>'
        "<body><p>正文</p></body></html>"
    )
    assert doc.title == "2021年年报"
    assert read_html("<html><head><title> 年报 _某站</title></head><body><p>正文</p></body></html>").title == (
        "年报 _某站"
    )


def test_xml_declaration_and_comments() -> None:
    doc = read_html('<?xml version="1.0" encoding="utf-8"?><html><body><!-- 注释 --><p>正文</p></body></html>')
    assert texts(doc) == ["正文"]


# ------------------------------------------------------------------------------------------------------------
# Decoding


def test_gbk_page_without_meta_decodes() -> None:
    data = (FIXTURES / "report_2021_gb2312.html").read_bytes()
    stripped = data.replace(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', b"")
    assert stripped != data and sniff_declared(stripped) is None
    text, encoding = decode_bytes(stripped)
    assert encoding == "gb18030" and "一、总体情况" in text
    doc = html_reader.read(stripped, "x.html")
    assert "一、总体情况" in texts(doc)


def test_wrong_declared_charset_falls_through() -> None:
    utf8 = (FIXTURES / "report_2019_chrome.html").read_bytes()
    lying = utf8.replace(b'<meta charset="utf-8">', b'<meta charset="gbk">')
    assert sniff_declared(lying) == "gb18030"
    text, encoding = decode_bytes(lying)
    assert encoding == "utf-8" and "一、总体情况" in text
    assert "一、总体情况" in texts(html_reader.read(lying, "x.html"))

    gbk = "<meta charset='utf-8'><p>一、总体情况</p>".encode("gbk")
    assert decode_bytes(gbk) == ("<meta charset='utf-8'><p>一、总体情况</p>", "gb18030")
    latin = "<meta charset='iso-8859-1'><p>一、总体情况</p>".encode("gbk")
    assert decode_bytes(latin)[1] == "gb18030"


def test_declared_charsets_and_boms() -> None:
    big5 = "<meta http-equiv='Content-Type' content='text/html; charset=big5'><p>總體情況</p>".encode("big5")
    assert decode_bytes(big5)[1] == "big5hkscs"
    assert decode_bytes("总体情况".encode("gbk"), declared="GB2312") == ("总体情况", "gb18030")
    assert decode_bytes(b"\xef\xbb\xbf" + "总体".encode()) == ("总体", "utf-8")
    assert decode_bytes(b"\xff\xfe" + "总体".encode("utf-16-le")) == ("总体", "utf-16-le")
    assert decode_bytes(b"\xfe\xff" + "总体".encode("utf-16-be")) == ("总体", "utf-16-be")
    assert decode_bytes(b"<p>plain</p>") == ("<p>plain</p>", "ascii")
    doc = html_reader.read(b"\xff\xfe" + "<p>一、总体情况</p>".encode("utf-16-le"), "x.html")
    assert texts(doc) == ["一、总体情况"]


def test_undecodable_bytes_are_replaced_and_noted(monkeypatch: pytest.MonkeyPatch) -> None:
    _, encoding = decode_bytes(bytes(range(128, 256)) * 4)
    assert encoding.endswith(LOSSY_SUFFIX)
    monkeypatch.setattr(html_reader, "decode_bytes", lambda data: ("<p>一、总体\ufffd情况</p>", "utf-8" + LOSSY_SUFFIX))
    doc = html_reader.read(b"irrelevant", "x.html")
    assert texts(doc) == ["一、总体\ufffd情况"]
    assert [p.rule for p in doc.problems] == ["P001"] and "乱码" in doc.problems[0].message


def test_a_few_corrupt_bytes_do_not_turn_the_page_into_mojibake() -> None:
    gbk = (FIXTURES / "report_2021_gb2312.html").read_bytes()
    at = gbk.index("一、总体情况".encode("gbk"))
    doc = html_reader.read(gbk[:at] + b"\xff" + gbk[at:], "x.html")
    assert "\ufffd一、总体情况" in texts(doc) and "二、主动公开政府信息情况" in texts(doc)
    assert len(tables(doc)) == 3
    assert doc.problems[0].severity == "warning" and "GB18030" in doc.problems[0].message

    utf8 = (FIXTURES / "report_2019_chrome.html").read_bytes().replace(b'charset="utf-8"', b'charset="gbk"')
    at = utf8.index("一、总体情况".encode())
    text, encoding = decode_bytes(utf8[:at] + b"\xff" + utf8[at:])
    assert encoding == "utf-8" + LOSSY_SUFFIX and "一、总体情况" in text


# ------------------------------------------------------------------------------------------------------------
# Never anything but ReadError


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t ",
        b"\x00" * 100,
        b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(3000),
        random.Random(2).randbytes(20000),
        b"<html></html>",
        b"<html><head><title>t</title><script>var a = '\xe6\x80\xbb';</script></head><body> </body></html>",
        b"<html><body><img src='scan.png'></body></html>",
    ],
)
def test_junk_raises_read_error(data: bytes) -> None:
    with pytest.raises(ReadError) as excinfo:
        html_reader.read(data, "junk.html")
    assert excinfo.value.rule == "P001"
    assert str(excinfo.value)  # a Chinese one-line reason


def test_deep_nesting_is_fast_and_safe() -> None:
    start = time.perf_counter()
    with pytest.raises(ReadError):
        html_reader.read(b"<body>" + b"<div>" * 1_000_000 + "一、总体情况".encode(), "deep.html")
    doc = html_reader.read(b"<body>" + b"<div>" * 600 + "一、总体情况".encode() + b"</div>" * 600, "deep.html")
    assert texts(doc) == ["一、总体情况"]
    tables_deep = b"<table><tr><td>" * 3000 + "一、总体情况".encode()
    with contextlib.suppress(ReadError):
        html_reader.read(tables_deep, "deep.html")
    assert time.perf_counter() - start < 10


def test_truncated_markup_is_read() -> None:
    doc = read_html("<html><body><p>一、总体情况<table><tr><td rowspan=3>行政复议<td colspan=2>信息内容")
    assert texts(doc) == ["一、总体情况"]
    assert grid_texts(tables(doc)[0]) == [["行政复议", "信息内容", "信息内容"]]


_TAGS = ["p", "div", "table", "tr", "td", "th", "br", "a href='x'", "span", "h2", "li", "tbody", "script"]
_markup = st.lists(
    st.one_of(
        st.sampled_from([f"<{t}>" for t in _TAGS] + [f"</{t.split()[0]}>" for t in _TAGS]),
        st.sampled_from(['<td rowspan="0">', '<td colspan="-3">', '<td rowspan="x" colspan="999999">']),
        st.text(alphabet="总体情况本年新收信息内容行政复议 \n&;<>0１", max_size=8),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_markup)
def test_any_markup_gives_a_document_or_read_error(markup: str) -> None:
    try:
        doc = html_reader.read(markup.encode("utf-8"), "fuzz.html")
    except ReadError:
        return
    for block in tables(doc):
        widths = {len(row) for row in block.rows}
        assert len(widths) == 1  # always rectangular


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_document_or_read_error(data: bytes) -> None:
    with contextlib.suppress(ReadError):
        html_reader.read(data, "fuzz.html")


# ------------------------------------------------------------------------------------------------------------
# Real published pages (read-only corpus outside the repository)


def _real_pages() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted((CORPUS / "real").glob("*/*.html"))


@pytest.mark.parametrize("page", _real_pages() or [None], ids=lambda p: p.name if p else "absent")
def test_real_pages(page: Path | None) -> None:
    if page is None:
        pytest.skip(f"corpus not available at {CORPUS}")
    doc = html_reader.read(page.read_bytes(), str(page))
    labels = {label_text(cell.text) for block in tables(doc) for row in block.rows for cell in row}
    assert any(label.endswith("本年新收政府信息公开申请数量") for label in labels)
    assert any("总体情况" in text for text in texts(doc))
    assert len(tables(doc)) == 3
