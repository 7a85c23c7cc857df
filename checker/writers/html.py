"""HTML: a standalone UTF-8 page with the template's three tables as full grids, merged cells included.

The grids follow template.md §3/§4 cell for cell: 表二 with a caption row per block (single-value blocks span
the value columns), 表三 with the 3×3 note, 申请人情况, 自然人 and 总计 over two rows, 法人或其他组织 over five
columns, 三、本年度办理结果 over the 20 (2019) or 22 (2021) outcome rows and （三）/（四）/（五）/（六） over their
reasons; 表四 with its 15 columns under three header rows. All text is escaped.
"""

from __future__ import annotations

from html import escape

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
        # Like every page xxgk writes: nothing but its own inline style may load or run. No generator meta:
        # a draft filled in from this template is a report that walking a folder must still check.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
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
        if section.table is not None:
            out += _table(data, t.grid(section.table, data.edition))
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


def _table(data: ReportData, grid: t.Grid) -> list[str]:
    rows = ['<table border="1">']
    for slots in grid:
        cells = []
        for slot in slots:
            text = t.cell(data, slot.path) if slot.kind == "value" and slot.path else slot.text
            cells.append(_td(text, slot.rowspan, slot.colspan))
        rows.append(_tr(cells))
    rows.append("</table>")
    return rows
