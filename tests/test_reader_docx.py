"""DOCX and legacy .doc readers. Every fixture is generated here with python-docx (plus a little raw XML for what
python-docx cannot write: WPS gridBefore, content controls, tracked changes, list numbering)."""

from __future__ import annotations

import copy
import io
import random
import stat
import sys
import time
import zipfile
from pathlib import Path

import docx as python_docx
import pytest
from conftest import SHARED_CORPUS
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from checker.model import Document, ReadError
from checker.readers import doc as doc_reader
from checker.readers import docx as docx_reader
from checker.readers import read as read_any

TEMPLATE = SHARED_CORPUS / "peers" / "govnianbao" / "政务公开年报模版.docx"

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
COLUMNS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
REASONS = {
    "（三）不予公开": [
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
        "7.属于行政执法案卷",
        "8.属于行政查询事项",
    ],
    "（四）无法提供": ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"],
    "（五）不予处理": [
        "1.信访举报投诉类申请",
        "2.重复申请",
        "3.要求提供公开出版物",
        "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
    ],
}
OTHER_2021 = [
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
]


# -- fixture builders ------------------------------------------------------------------------------------


def applications_table(document, edition: int):
    """Table 3 of the template with its merges: 28×10 (2021) or 26×10 (2019, one （六） row)."""
    groups = dict(REASONS)
    groups["（六）其他处理"] = OTHER_2021 if edition == 2021 else []
    result_rows = 2 + sum(max(1, len(v)) for v in groups.values()) + 1  # （一）（二）, groups, （七）
    n_rows = 3 + 2 + result_rows + 1
    table = document.add_table(rows=n_rows, cols=10)
    cell = table.cell(0, 0).merge(table.cell(2, 2))
    cell.text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    table.cell(0, 3).merge(table.cell(0, 9)).text = "申请人情况"
    table.cell(1, 3).merge(table.cell(2, 3)).text = "自然人"
    table.cell(1, 4).merge(table.cell(1, 8)).text = "法人或其他组织"
    table.cell(1, 9).merge(table.cell(2, 9)).text = "总计"
    for c, name in enumerate(COLUMNS, 4):
        table.cell(2, c).text = name
    table.cell(3, 0).merge(table.cell(3, 2)).text = "一、本年新收政府信息公开申请数量"
    table.cell(4, 0).merge(table.cell(4, 2)).text = "二、上年结转政府信息公开申请数量"
    first, last = 5, 5 + result_rows - 1
    table.cell(first, 0).merge(table.cell(last, 0)).text = "三、本年度办理结果"
    r = first
    for label in ("（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"):
        table.cell(r, 1).merge(table.cell(r, 2)).text = label
        r += 1
    for label, reasons in groups.items():
        if reasons:
            table.cell(r, 1).merge(table.cell(r + len(reasons) - 1, 1)).text = label
            for k, reason in enumerate(reasons):
                table.cell(r + k, 2).text = reason
            r += len(reasons)
        else:
            table.cell(r, 1).merge(table.cell(r, 2)).text = label
            r += 1
    table.cell(r, 1).merge(table.cell(r, 2)).text = "（七）总计"
    table.cell(n_rows - 1, 0).merge(table.cell(n_rows - 1, 2)).text = "四、结转下年度继续办理"
    for row in range(3, n_rows):
        for col in range(3, 10):
            table.cell(row, col).text = str(row * 10 + col)
    return table


def build_report(edition: int = 2021) -> python_docx.Document:
    document = python_docx.Document()
    document.core_properties.title = "某某縣人民政府２０２３年政府信息公開工作年度報告"
    document.add_paragraph("某某縣人民政府２０２３年政府信息公開工作年度報告")
    for k, heading in enumerate(HEADINGS):
        document.add_heading(heading, level=1)
        if k == 0:
            document.add_paragraph("本機關全年主動公開政府信息１２３條。")
        if k == 2:
            applications_table(document, edition)
    return document


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read_doc(document) -> Document:
    return docx_reader.read(to_bytes(document), "report.docx")


def tables(doc: Document):
    return [b for b in doc.blocks if b.is_table]


def texts(table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    members: dict[str, bytes | str] = {n: source.read(n) for n in source.namelist()}
    members[name] = content
    return zip_bytes(members)


def fake_encrypted_ole() -> bytes:
    """What a password-protected .docx looks like from outside: an OLE2 compound file whose directory holds
    the UTF-16LE stream names EncryptionInfo and EncryptedPackage."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    return header + directory + b"\x00" * 1024


# -- structure -------------------------------------------------------------------------------------------


def test_document_order_headings_and_title():
    doc = read_doc(build_report())
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds[0] == ("paragraph", "某某县人民政府2023年政府信息公开工作年度报告")
    assert [t for k, t in kinds if k == "heading"] == HEADINGS
    order = [k if k == "table" else t for k, t in kinds]
    assert order.index("三、收到和处理政府信息公开申请情况") + 1 == order.index("table")
    assert order.index("table") + 1 == order.index("四、政府信息公开行政复议、行政诉讼情况")
    assert doc.title == "某某县人民政府2023年政府信息公开工作年度报告"
    assert doc.format == "docx"


def test_folding_traditional_and_full_width():
    doc = read_doc(build_report())
    assert "本机关全年主动公开政府信息123条。" in [b.text for b in doc.blocks]
    labels = {c.text for c in tables(doc)[0].rows[0]}
    assert "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)" in labels


def test_paragraph_sources_count_every_body_paragraph():
    document = python_docx.Document()
    document.add_paragraph("第一段")
    document.add_paragraph("")  # empty: counted, not emitted
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).add_paragraph("格内第二段")  # the cell now holds two paragraphs
    document.add_paragraph("表后一段")
    doc = read_doc(document)
    paragraphs = [(b.text, b.source.line) for b in doc.blocks if not b.is_table]
    # paragraphs: 1 第一段, 2 empty, 3-4 cell (0,0), 5 cell (0,1), 6 表后一段
    assert paragraphs == [("第一段", 1), ("表后一段", 6)]
    assert tables(doc)[0].rows[0][0].text == "格内第二段"


@pytest.mark.parametrize("edition, n_rows, other_rows", [(2021, 28, 3), (2019, 26, 1)])
def test_applications_table_grid_and_spans(edition, n_rows, other_rows):
    doc = read_doc(build_report(edition))
    (table,) = tables(doc)
    assert table.source.table == 1
    assert len(table.rows) == n_rows and {len(r) for r in table.rows} == {10}
    grid = texts(table)
    # the note fills a 3×3 block and is counted once
    note = [(r, c) for r in range(n_rows) for c in range(10) if grid[r][c].startswith("(本列数据")]
    assert note == [(r, c) for r in range(3) for c in range(3)]
    for r in range(3):
        for c in range(3):
            assert table.rows[r][c].spanned == ((r, c) != (0, 0))
    assert [c.spanned for c in table.rows[0][3:]] == [False] + [True] * 6
    assert [table.rows[2][c].spanned for c in (3, 4, 9)] == [True, False, True]
    results = [row[0] for row in table.rows[5 : n_rows - 1]]
    assert {c.text for c in results} == {"三、本年度办理结果"}
    assert [c.spanned for c in results] == [False] + [True] * (n_rows - 7)
    other = [r for r in range(n_rows) if grid[r][1] == "(六)其他处理"]
    assert len(other) == other_rows
    # every label is counted exactly once
    originals = [c.text for row in table.rows for c in row if not c.spanned and not c.text.isdigit()]
    assert len(originals) == len(set(originals))
    # grid positions are 1-based and refer to the grid, not to the w:tc index
    cell = table.rows[7][2]
    assert cell.text == "1.属于国家秘密" and (cell.source.table, cell.source.row, cell.source.col) == (1, 8, 3)
    assert table.rows[7][3].text == "73" and table.rows[7][3].source.cell == "T1!D8"


def test_merged_cell_spanning_columns_and_rows_in_one():
    document = python_docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 1)).text = "合并"
    table.cell(2, 2).text = "9"
    (block,) = tables(read_doc(document))
    assert texts(block) == [["合并", "合并", ""], ["合并", "合并", ""], ["", "", "9"]]
    assert [[c.spanned for c in row] for row in block.rows[:2]] == [[False, True, False], [True, True, False]]


def test_multi_paragraph_and_line_break_labels_join_with_one_space():
    document = python_docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).text = "本年新"
    table.cell(0, 0).add_paragraph("制作数量")
    run = table.cell(0, 1).paragraphs[0].add_run("商业")
    run.add_break()
    run.add_text("企业")
    table.cell(0, 2).paragraphs[0].add_run("信息\t内容")
    (block,) = tables(read_doc(document))
    assert texts(block) == [["本年新 制作数量", "商业 企业", "信息 内容"]]


def test_wps_grid_before_and_after_and_ragged_rows():
    document = python_docx.Document()
    table = document.add_table(rows=3, cols=4)
    for r in range(3):
        for c in range(4):
            table.cell(r, c).text = f"{r}{c}"
    rows = table._tbl.tr_lst
    # row 2: WPS writes gridBefore=1 instead of an empty first cell; row 3: gridAfter=1 and the last cell gone
    rows[1].remove(rows[1].tc_lst[0])
    rows[1].insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
    rows[2].remove(rows[2].tc_lst[-1])
    rows[2].insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridAfter w:val="1"/></w:trPr>'))
    # a ragged fourth row with only two cells
    ragged = copy.deepcopy(rows[0])
    ragged.remove(ragged.tc_lst[-1])
    ragged.remove(ragged.tc_lst[-1])
    table._tbl.append(ragged)
    (block,) = tables(read_doc(document))
    assert texts(block) == [
        ["00", "01", "02", "03"],
        ["", "11", "12", "13"],
        ["20", "21", "22", ""],
        ["00", "01", "", ""],
    ]
    assert not any(c.spanned for row in block.rows for c in row)
    assert block.rows[1][1].source.col == 2


def _wrap_in_sdt(element) -> None:
    """Put ``element`` inside a content control, as WPS and Word templates do."""
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr><w:alias w:val='x'/></w:sdtPr><w:sdtContent/></w:sdt>")
    element.addprevious(sdt)
    sdt[1].append(element)


def test_content_controls_insertions_deletions_hyperlinks_hidden_text():
    document = python_docx.Document()
    p = document.add_paragraph("保留")
    p._p.append(parse_xml(f"<w:ins {nsdecls('w')}><w:r><w:t>插入</w:t></w:r></w:ins>"))
    p._p.append(parse_xml(f"<w:del {nsdecls('w')}><w:r><w:delText>删除</w:delText></w:r></w:del>"))
    p._p.append(parse_xml(f"<w:hyperlink {nsdecls('w')}><w:r><w:t>链接</w:t></w:r></w:hyperlink>"))
    p._p.append(parse_xml(f"<w:smartTag {nsdecls('w')}><w:r><w:t>标记</w:t></w:r></w:smartTag>"))
    p._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"))
    inline = f"<w:sdt {nsdecls('w')}><w:sdtPr><w:text/></w:sdtPr>"
    inline += "<w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt>"
    p._p.append(parse_xml(inline))
    wrapped = document.add_paragraph("整段在控件中")
    _wrap_in_sdt(wrapped._p)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "格"
    table.cell(0, 1).text = "行在控件中"
    _wrap_in_sdt(table._tbl.tr_lst[0])
    doc = read_doc(document)
    assert [b.text for b in doc.blocks if not b.is_table] == ["保留插入链接标记控件", "整段在控件中"]
    assert texts(tables(doc)[0]) == [["格", "行在控件中"]]


def test_heading_detection_by_style_name_and_outline_level():
    document = python_docx.Document()
    document.add_heading("一、总体情况", level=1)
    document.add_heading("(一)主动公开", level=2)
    chinese = document.styles.add_style("标题 2", 1)  # WPS writes localized style names
    document.add_paragraph("二、主动公开政府信息情况", style=chinese)
    outlined = document.add_paragraph("三、收到和处理政府信息公开申请情况")
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    body = document.add_paragraph("四、正文级别")
    body._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="9"/>'))
    document.add_paragraph("正文")
    doc = read_doc(document)
    assert [b.kind for b in doc.blocks] == ["heading", "heading", "heading", "heading", "paragraph", "paragraph"]


def _add_list(document, fmt: str, text: str) -> str:
    """A list definition in numbering.xml; returns its numId."""
    numbering = document.part.part_related_by(RT.NUMBERING).element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        '<w:suff w:val="nothing"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/>'
        '<w:suff w:val="nothing"/></w:lvl></w:abstractNum>'
    )
    numbering.insert(0, abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _numbered(document, text: str, num_id: str, ilvl: int = 0):
    p = document.add_paragraph(text)
    p._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )
    return p


def test_automatic_list_numbers_are_rendered():
    document = python_docx.Document()
    num_id = _add_list(document, "chineseCounting", "%1、")
    _numbered(document, "总体情况", num_id)
    _numbered(document, "主动公开", num_id, ilvl=1)
    _numbered(document, "依申请公开", num_id, ilvl=1)
    _numbered(document, "主动公开政府信息情况", num_id)
    _numbered(document, "主动公开", num_id, ilvl=1)
    doc = read_doc(document)
    assert [b.text for b in doc.blocks] == [
        "一、总体情况",
        "(一)主动公开",
        "(二)依申请公开",
        "二、主动公开政府信息情况",
        "(一)主动公开",
    ]


def test_format_number():
    fmt = docx_reader.format_number
    assert [fmt(n, "chineseCounting") for n in (1, 10, 11, 20, 21, 100, 105)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十一",
        "一百",
        "一百零五",
    ]
    assert fmt(3, "decimalEnclosedCircle") == "③" and fmt(28, "lowerLetter") == "bb" and fmt(14, "upperRoman") == "XIV"


def test_layout_frame_is_unwrapped_and_nested_tables_in_data_tables_flattened():
    document = python_docx.Document()
    frame = document.add_table(rows=1, cols=1)
    cell = frame.cell(0, 0)
    cell.paragraphs[0].add_run("一、总体情况")
    inner = cell.add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "规章"
    inner.cell(0, 1).text = "3"
    cell.add_paragraph("五、存在的主要问题及改进情况")
    data = document.add_table(rows=1, cols=3)
    data.cell(0, 0).text = "行政许可"
    nested = data.cell(0, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "12"
    nested.cell(0, 1).text = "件"
    doc = read_doc(document)
    assert [(b.kind, b.text) for b in doc.blocks if not b.is_table] == [
        ("paragraph", "一、总体情况"),
        ("paragraph", "五、存在的主要问题及改进情况"),
    ]
    first, second = tables(doc)
    assert doc.blocks.index(first) == 1 and texts(first) == [["规章", "3"]] and first.source.table == 1
    assert texts(second) == [["行政许可", "12 件", ""]] and second.source.table == 2


def test_text_box_is_read_once():
    document = python_docx.Document()
    p = document.add_paragraph("正文")
    box = (
        f'<mc:AlternateContent {nsdecls("w")} xmlns:mc="{MC}"><mc:Choice Requires="wps"><w:r><w:drawing><w:txbxContent>'
        "<w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent>"
        "</w:pict></w:r></mc:Fallback></mc:AlternateContent>"
    )
    p._p.append(parse_xml(box))
    assert [b.text for b in read_doc(document).blocks] == ["正文\n文本框"]


# -- bad input -------------------------------------------------------------------------------------------


def _single_line(exc: ReadError) -> str:
    message = str(exc)
    assert message and "\n" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    return message


def test_truncated_zip():
    data = to_bytes(build_report())
    with pytest.raises(ReadError) as info:
        docx_reader.read(data[: len(data) // 2], "x.docx")
    assert "损坏" in _single_line(info.value) and info.value.rule == "P001"


def test_zip_that_is_not_a_docx():
    with pytest.raises(ReadError) as info:
        docx_reader.read(zip_bytes({"readme.txt": "hello"}), "x.docx")
    assert "word/document.xml" in _single_line(info.value)
    workbook = zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
    with pytest.raises(ReadError) as info:
        docx_reader.read(workbook, "x.docx")
    assert "Excel" in _single_line(info.value)


def test_package_without_its_main_part():
    data = to_bytes(build_report())
    source = zipfile.ZipFile(io.BytesIO(data))
    members: dict[str, bytes | str] = {n: source.read(n) for n in source.namelist() if n != "word/document.xml"}
    with pytest.raises(ReadError) as info:
        docx_reader.read(zip_bytes(members), "x.docx")
    _single_line(info.value)


def test_malformed_xml():
    data = replace_member(to_bytes(build_report()), "word/document.xml", b"<w:document><w:body><w:p>")
    with pytest.raises(ReadError) as info:
        docx_reader.read(data, "x.docx")
    assert "XML" in _single_line(info.value)


def test_xml_bomb_is_refused_without_expansion():
    entities = '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
    for k in range(1, 10):
        entities += f'<!ENTITY {chr(97 + k)} "{("&" + chr(96 + k) + ";") * 10}">'
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        f"<w:document {nsdecls('w')}><w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    data = replace_member(to_bytes(build_report()), "word/document.xml", bomb)
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        docx_reader.read(data, "x.docx")
    assert time.perf_counter() - start < 2
    assert "DTD" in _single_line(info.value)


def test_small_dtd_is_refused_too():
    doctype = b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x "y">]>'
    body = f"<w:document {nsdecls('w')}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    data = replace_member(to_bytes(build_report()), "word/document.xml", doctype + body.encode())
    with pytest.raises(ReadError) as info:
        docx_reader.read(data, "x.docx")
    assert "DTD" in _single_line(info.value)


def test_huge_xml_part_is_refused_before_inflating(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_XML_PART", 1000)
    with pytest.raises(ReadError) as info:
        docx_reader.read(to_bytes(build_report()), "x.docx")
    assert "庞大" in _single_line(info.value)


def test_encrypted_docx_is_reported_as_password_protected(tmp_path):
    data = fake_encrypted_ole()
    for reader in (docx_reader.read, doc_reader.read):
        with pytest.raises(ReadError) as info:
            reader(data, "x.docx")
        assert _single_line(info.value) == "文件已加密（设有密码），请去除密码后再检查"
        assert info.value.rule == "P001"
    # through the registry: the OLE2 magic routes a .docx name to the doc reader
    path = tmp_path / "加密.docx"
    path.write_bytes(data)
    with pytest.raises(ReadError, match="加密"):
        read_any(str(path))


def test_random_corruption_never_escapes_as_another_exception():
    data = to_bytes(build_report())
    rng = random.Random(20240131)
    for _ in range(40):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        try:
            docx_reader.read(bytes(mutated), "x.docx")
        except ReadError as exc:
            _single_line(exc)
    for junk in (b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, bytes(range(256)) * 4):
        with pytest.raises(ReadError):
            docx_reader.read(junk, "x.docx")


# -- .doc / .wps ------------------------------------------------------------------------------------------


def _legacy_doc() -> bytes:
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 1000


def test_doc_without_libreoffice_is_p002(monkeypatch):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    for name, kind in (("report.doc", ".doc"), ("report.wps", ".wps")):
        with pytest.raises(ReadError) as info:
            doc_reader.read(_legacy_doc(), name)
        message = _single_line(info.value)
        assert info.value.rule == "P002" and "LibreOffice" in message and "另存为 .docx" in message and kind in message


def test_other_ole_files_are_named(monkeypatch):
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    excel = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + "Workbook".encode("utf-16-le")
    with pytest.raises(ReadError, match="Excel"):
        doc_reader.read(excel, "x.doc")


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!{sys.executable}\nimport sys, time, pathlib, shutil\nargs = sys.argv[1:]\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.skipif(sys.platform == "win32", reason="the fake soffice is a POSIX script")
def test_doc_is_converted_with_libreoffice(monkeypatch, tmp_path):
    converted = tmp_path / "converted.docx"
    converted.write_bytes(to_bytes(build_report()))
    fake = _fake_soffice(
        tmp_path,
        "assert '--headless' in args and args[args.index('--convert-to') + 1] == 'docx'\n"
        "assert any(a.startswith('-env:UserInstallation=file:') for a in args)\n"
        "out = pathlib.Path(args[args.index('--outdir') + 1]); out.mkdir(parents=True, exist_ok=True)\n"
        f"shutil.copy({str(converted)!r}, out / (pathlib.Path(args[-1]).stem + '.docx'))",
    )
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: fake if name == "soffice" else None)
    doc = doc_reader.read(_legacy_doc(), "报告.doc")
    assert doc.format == "doc" and doc.path == "报告.doc"
    assert [b.text for b in doc.blocks if b.kind == "heading"] == HEADINGS


@pytest.mark.skipif(sys.platform == "win32", reason="the fake soffice is a POSIX script")
def test_doc_conversion_failure_and_timeout(monkeypatch, tmp_path):
    fake = _fake_soffice(tmp_path, "sys.exit(1)")
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: fake)
    with pytest.raises(ReadError, match="无法转换"):
        doc_reader.read(_legacy_doc(), "x.doc")
    slow = _fake_soffice(tmp_path, "time.sleep(30)")
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: slow)
    monkeypatch.setattr(doc_reader, "TIMEOUT_SECONDS", 0.5)
    start = time.perf_counter()
    with pytest.raises(ReadError, match="超时"):
        doc_reader.read(_legacy_doc(), "x.doc")
    assert time.perf_counter() - start < 10


# -- the real blank template -----------------------------------------------------------------------------


def test_real_blank_template():
    if not TEMPLATE.is_file():
        pytest.skip("the shared corpus (blank 2021 template) is not available")
    doc = docx_reader.read(TEMPLATE.read_bytes(), str(TEMPLATE))
    shapes = [(len(t.rows), len(t.rows[0])) for t in tables(doc)]
    assert shapes == [(14, 4), (28, 10), (4, 15)]
    assert all(len(row) == len(t.rows[0]) for t in tables(doc) for row in t.rows)
    hits = [c for t in tables(doc) for row in t.rows for c in row if "本年新收政府信息公开申请数量" in c.text]
    originals = [c for c in hits if not c.spanned]
    assert len(originals) == 1 and originals[0].text == "一、本年新收政府信息公开申请数量"
    assert [
        b.text for b in doc.blocks if b.text.startswith(("一、", "二、", "三、", "四、", "五、", "六、"))
    ] == HEADINGS
