"""DOCX (python-docx): the report as Word lays out the template, with real merged cells.

The tables follow template.md §3/§4 as the blank template DOCX does (14×4 表二 in 2021, 28×10 表三, 4×15 表四):
merges are ``w:gridSpan``/``w:vMerge`` made with ``cell.merge``, so a reader sees one cell spanning its grid
positions. Section headings use the Heading 2 style, the title the Title style. The package is rewritten with
fixed timestamps, so the same data always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from .. import layout
from . import template as t
from .data import ReportData

_BODY_FONT = "仿宋"
_HEADING_FONT = "黑体"


def render(data: ReportData) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    _fonts(doc)
    props = doc.core_properties
    props.title = t.title(data)
    props.author = props.last_modified_by = data.agency
    props.created = props.modified = datetime(data.year + 1, 1, 20, 9, 0, 0)
    props.revision = 1
    props.comments = props.keywords = props.subject = ""

    heading = doc.add_paragraph(t.title(data), style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(t.preamble(data))
    for section in t.sections(data):
        if section.heading is not None:
            doc.add_paragraph(section.heading, style="Heading 2")
        for paragraph in section.paragraphs:
            doc.add_paragraph(paragraph)
        if section.table is not None:
            table = {"active": _active, "applications": _applications, "review": _review}[section.table](doc, data)
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_timestamps(buffer.getvalue())


def _fonts(doc) -> None:  # type: ignore[no-untyped-def]
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    for name, font, size in (
        ("Normal", _BODY_FONT, 12),
        ("Title", _HEADING_FONT, 18),
        ("Heading 2", _HEADING_FONT, 14),
    ):
        style = doc.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _grid(doc, rows: int, cols: int):  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    return table


def _put(table, row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Write ``text`` into a cell spanning ``rowspan`` × ``colspan`` grid positions from (row, col)."""
    cell = _cell(table, row, col)
    if rowspan > 1 or colspan > 1:
        cell = cell.merge(_cell(table, row + rowspan - 1, col + colspan - 1))
    cell.text = text


def _cell(table, row: int, col: int):  # type: ignore[no-untyped-def]
    """The cell at a grid position. ``table.cell`` rebuilds the whole grid on every call (quadratic over a
    28×10 table); walking the row's ``w:tc`` elements with their spans is enough."""
    from docx.table import _Cell

    start = 0
    for tc in table._tbl.tr_lst[row].tc_lst:
        if start <= col < start + tc.grid_span:
            return _Cell(tc, table)
        start += tc.grid_span
    raise IndexError(f"no cell at row {row}, column {col}")


def _active(doc, data: ReportData):  # type: ignore[no-untyped-def]
    blocks = t.active_blocks(data.edition)
    width = t.active_width(data.edition)
    table = _grid(doc, sum(2 + len(b.rows) for b in blocks), width)
    r = 0
    for block in blocks:
        spans = [1] * (len(block.columns) - 1) + [width - len(block.columns)]
        _put(table, r, 0, block.caption, colspan=width)
        _put(table, r + 1, 0, t.info_header(data.edition))
        c = 1
        for (_, label), span in zip(block.columns, spans, strict=True):
            _put(table, r + 1, c, label, colspan=span)
            c += span
        r += 2
        for row, label in block.rows:
            _put(table, r, 0, label)
            c = 1
            for (col, _), span in zip(block.columns, spans, strict=True):
                _put(table, r, c, t.cell(data, ("active", block.key, row, col)), colspan=span)
                c += span
            r += 1
    return table


def _applications(doc, data: ReportData):  # type: ignore[no-untyped-def]
    edition = data.edition
    app_rows = t.app_rows(edition)
    applicants, legal_persons = t.app_headers(edition)
    columns = dict(t.app_columns(edition))
    table = _grid(doc, 3 + len(app_rows), 10)
    _put(table, 0, 0, t.app_note(edition), rowspan=3, colspan=3)
    _put(table, 0, 3, applicants, colspan=7)
    _put(table, 1, 3, columns["natural_person"], rowspan=2)
    _put(table, 1, 4, legal_persons, colspan=5)
    _put(table, 1, 9, columns["total"], rowspan=2)
    for c, key in enumerate(layout.APPLICANT_COLUMNS[1:], 4):
        _put(table, 2, c, columns[key])
    top_rows = [i for i, row in enumerate(app_rows) if row.top]
    if top_rows:
        _put(table, 3 + top_rows[0], 0, app_rows[top_rows[0]].top or "", rowspan=len(top_rows))
    i = 0
    while i < len(app_rows):
        row = app_rows[i]
        r = 3 + i
        if row.top is None:
            _put(table, r, 0, row.leaf, colspan=3)
        elif row.group is None:
            _put(table, r, 1, row.leaf, colspan=2)
        else:
            span = 1
            while i + span < len(app_rows) and app_rows[i + span].group == row.group:
                span += 1
            _put(table, r, 1, row.group, rowspan=span)
            for k in range(span):
                _put(table, r + k, 2, app_rows[i + k].leaf)
                _values(table, r + k, data, app_rows[i + k].key)
            i += span
            continue
        _values(table, r, data, row.key)
        i += 1
    return table


def _values(table, r: int, data: ReportData, key: str) -> None:  # type: ignore[no-untyped-def]
    for c, col in enumerate(layout.APP_COLUMNS, 3):
        _put(table, r, c, t.cell(data, ("applications", key, col)))


def _review(doc, data: ReportData):  # type: ignore[no-untyped-def]
    labels = t.review_labels(data.edition)
    width = len(layout.REVIEW_COLUMNS)
    results = [labels[c] for c in layout.REVIEW_COLUMNS]
    table = _grid(doc, 4, 3 * width)
    _put(table, 0, 0, labels["review"], colspan=width)
    _put(table, 0, width, labels["litigation"], colspan=2 * width)
    for c, label in enumerate(results):
        _put(table, 1, c, label, rowspan=2)
    _put(table, 1, width, labels["litigation_direct"], colspan=width)
    _put(table, 1, 2 * width, labels["litigation_after_review"], colspan=width)
    for c, label in enumerate(results * 2, width):
        _put(table, 2, c, label)
    for i, (group, col) in enumerate((g, c) for g in layout.REVIEW_ROWS for c in layout.REVIEW_COLUMNS):
        _put(table, 3, i, t.cell(data, ("review", group, col)))
    return table


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _fixed_timestamps(package: bytes) -> bytes:
    """The same package with every member dated 1980-01-01 (python-docx stamps the time of saving)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
