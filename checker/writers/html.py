"""HTML: a standalone UTF-8 page with the template's three tables as full grids, merged cells included.

The grids follow template.md §3/§4 cell for cell: 表二 with a caption row per block (single-value blocks span
the value columns), 表三 with the 3×3 note, 申请人情况, 自然人 and 总计 over two rows, 法人或其他组织 over five
columns, 三、本年度办理结果 over the 20 (2019) or 22 (2021) outcome rows and （三）/（四）/（五）/（六） over their
reasons; 表四 with its 15 columns under three header rows. All text is escaped.
"""

from __future__ import annotations

from html import escape

from .. import layout
from . import template as t
from .data import ReportData

_STYLE = (
    "body{font-family:'FangSong','仿宋',serif;max-width:60em;margin:2em auto;line-height:1.8}"
    "h1{text-align:center;font-size:1.5em}h2{font-size:1.15em}"
    "table{border-collapse:collapse;margin:1em 0}td{border:1px solid #000;padding:2px 6px;text-align:center}"
)


def render(data: ReportData) -> bytes:
    title = escape(t.title(data))
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<article>",
        f"<h1>{title}</h1>",
        f"<p>{escape(t.preamble(data))}</p>",
    ]
    for section in t.sections(data):
        if section.heading is not None:
            out.append(f"<h2>{escape(section.heading)}</h2>")
        out += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        if section.table == "active":
            out += _active(data)
        elif section.table == "applications":
            out += _applications(data)
        elif section.table == "review":
            out += _review(data)
    out += ["</article>", "</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")


def _td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = ""
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    return f"<td{attrs}>{escape(text)}</td>"


def _tr(cells: list[str]) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _active(data: ReportData) -> list[str]:
    width = t.active_width(data.edition)
    rows = ['<table border="1">']
    for block in t.active_blocks(data.edition):
        spans = _value_spans(len(block.columns), width - 1)
        rows.append(_tr([_td(block.caption, colspan=width)]))
        header = [_td(label, colspan=span) for (_, label), span in zip(block.columns, spans, strict=True)]
        rows.append(_tr([_td(t.info_header(data.edition)), *header]))
        for row, label in block.rows:
            values = [
                _td(t.cell(data, ("active", block.key, row, col)), colspan=span)
                for (col, _), span in zip(block.columns, spans, strict=True)
            ]
            rows.append(_tr([_td(label), *values]))
    rows.append("</table>")
    return rows


def _value_spans(columns: int, grid: int) -> list[int]:
    """Value columns of a block on a grid of ``grid`` value columns: the last one spans what is left over."""
    return [1] * (columns - 1) + [grid - columns + 1]


def _applications(data: ReportData) -> list[str]:
    edition = data.edition
    applicants, legal_persons = t.app_headers(edition)
    columns = dict(t.app_columns(edition))
    rows = [
        '<table border="1">',
        _tr([_td(t.app_note(edition), rowspan=3, colspan=3), _td(applicants, colspan=7)]),
        _tr(
            [
                _td(columns["natural_person"], rowspan=2),
                _td(legal_persons, colspan=5),
                _td(columns["total"], rowspan=2),
            ]
        ),
        _tr([_td(columns[c]) for c in layout.APPLICANT_COLUMNS[1:]]),
    ]
    app_rows = t.app_rows(edition)
    top_span = sum(1 for r in app_rows if r.top)
    group_spans: dict[str, int] = {}
    for r in app_rows:
        if r.group:
            group_spans[r.group] = group_spans.get(r.group, 0) + 1
    previous_top = previous_group = None
    for r in app_rows:
        cells = []
        if r.top is None:
            cells.append(_td(r.leaf, colspan=3))
        else:
            if r.top != previous_top:
                cells.append(_td(r.top, rowspan=top_span))
            if r.group is None:
                cells.append(_td(r.leaf, colspan=2))
            else:
                if r.group != previous_group:
                    cells.append(_td(r.group, rowspan=group_spans[r.group]))
                cells.append(_td(r.leaf))
        previous_top, previous_group = r.top, r.group
        cells += [_td(t.cell(data, ("applications", r.key, c))) for c in layout.APP_COLUMNS]
        rows.append(_tr(cells))
    rows.append("</table>")
    return rows


def _review(data: ReportData) -> list[str]:
    labels = t.review_labels(data.edition)
    width = len(layout.REVIEW_COLUMNS)
    results = [labels[c] for c in layout.REVIEW_COLUMNS]
    values = [t.cell(data, ("review", g, c)) for g in layout.REVIEW_ROWS for c in layout.REVIEW_COLUMNS]
    return [
        '<table border="1">',
        _tr([_td(labels["review"], colspan=width), _td(labels["litigation"], colspan=2 * width)]),
        _tr(
            [
                *(_td(label, rowspan=2) for label in results),
                _td(labels["litigation_direct"], colspan=width),
                _td(labels["litigation_after_review"], colspan=width),
            ]
        ),
        _tr([_td(label) for label in results * 2]),
        _tr([_td(v) for v in values]),
        "</table>",
    ]
