"""PDF fixtures that look like real exports, drawn with reportlab (BSD): the template's three tables as Word or
WPS lays them out, with the knobs the real exports vary.

* fonts: a CID font the PDF does not embed (STSong-Light: the viewer supplies it) or a TrueType font embedded
  as a subset (a font built here whose every glyph is a box: only positions matter to the reader);
* rules: stroked lines, borders drawn as thin filled rectangles (Word, WPS), only horizontal rules, none;
* narrow columns: header cells wrapped over two or three lines (商业/企业, 社会/公益/组织, 总/计), row labels
  wrapped over up to six lines (1.属/于国/家秘/密);
* merged label cells spanning many rows; a vertical group label written one character per line or rotated;
* page breaks with and without a repeated header, and a row allowed to break across pages (Word's default):
  the label's last lines on the next page, the values on the first part or on the second;
* a running header and page numbers on every page.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

CID_FONT = "STSong-Light"  # an Adobe-GB1 CID font every PDF viewer (and PDFium) knows; nothing to embed
pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))

PAGE_W, PAGE_H = 595.0, 842.0
LEFT, RIGHT = 60.0, 535.0
TOP, BOTTOM = 72.0, 780.0
SIZE = 9.0  # table text
LH = 11.0  # table line height
PAD = 5.0  # a cell's vertical padding (both sides together)


# -- an embedded font: every glyph a box ---------------------------------------------------------------------


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def box_font(chars: str, name: str = "XxgkBoxSong") -> bytes:
    """A TrueType font with one box glyph per character of ``chars`` (CJK 1000 units wide, ASCII 500)."""
    codes = sorted({ord(c) for c in chars if ord(c) < 0xFFFF})
    upem, asc, desc = 1000, 880, -120
    glyph = struct.pack(">hhhhh", 1, 0, desc, 500, asc) + struct.pack(">HH", 3, 0) + bytes([0x01] * 4)
    glyph += struct.pack(">hhhh", 0, 0, 500, 0) + struct.pack(">hhhh", desc, asc - desc, 0, desc - asc)
    glyph += b"\0" * (-len(glyph) % 4)
    n = len(codes) + 1
    seg = len(codes) + 1
    ends = [*codes, 0xFFFF]
    deltas = [(k + 1 - c) & 0xFFFF for k, c in enumerate(codes)] + [1]
    cmap4 = struct.pack(">HHHHHHH", 4, 16 + 8 * seg, 0, 2 * seg, 2, 0, 0)
    cmap4 += struct.pack(f">{seg}H", *ends) + b"\0\0" + struct.pack(f">{seg}H", *ends)
    cmap4 += struct.pack(f">{seg}H", *deltas) + struct.pack(f">{seg}H", *([0] * seg))
    widths = [upem // 2] + [upem // 2 if c < 0x2E80 else upem for c in codes]

    def name_record(name_id: int, text: str, offset: int) -> bytes:
        return struct.pack(">HHHHHH", 3, 1, 0x409, name_id, len(text) * 2, offset)

    names = [(1, name), (2, "Regular"), (4, name), (6, name)]
    strings = b""
    records = b""
    for name_id, text in names:
        records += name_record(name_id, text, len(strings))
        strings += text.encode("utf-16-be")
    name_table = struct.pack(">HHH", 0, len(names), 6 + 12 * len(names)) + records + strings
    os2 = struct.pack(
        ">HhHHHhhhhhhhhhhh10sIIII4sHHHhhhHHII",
        1, 700, 400, 5, 0, 650, 700, 0, 140, 650, 700, 0, 480, 50, 250, 0, b"\0" * 10,
        0, 0, 0, 0, b"XXGK", 0x40, 0x20, 0xFFFF, asc, desc, 0, upem, -desc, 1, 0,
    )  # fmt: skip
    tables = {
        b"OS/2": os2,
        b"cmap": struct.pack(">HHHHI", 0, 1, 3, 1, 12) + cmap4,
        b"glyf": glyph * n,
        b"head": struct.pack(
            ">IIIIHHQQhhhhHHhhh",
            0x00010000,
            0x00010000,
            0,
            0x5F0F3CF5,
            0x000B,
            upem,
            0,
            0,
            0,
            desc,
            upem,
            asc,
            0,
            8,
            2,
            1,
            0,
        ),
        b"hhea": struct.pack(
            ">IhhhHhhhhhhhhhhhH", 0x00010000, asc, desc, 0, upem, 0, 0, upem, 1, 0, 0, 0, 0, 0, 0, 0, n
        ),
        b"hmtx": b"".join(struct.pack(">Hh", w, 0) for w in widths),
        b"loca": struct.pack(f">{n + 1}I", *(k * len(glyph) for k in range(n + 1))),
        b"maxp": struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, n, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0),
        b"name": name_table,
        b"post": struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0),
    }
    tags = sorted(tables)
    out = struct.pack(">IHHHH", 0x00010000, len(tags), 128, 3, 16 * len(tags) - 128)
    offset = 12 + 16 * len(tags)
    body = b""
    for tag in tags:
        data = tables[tag]
        out += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return out + body


_EMBEDDED: dict[str, str] = {}


def embedded_font(chars: str) -> str:
    """Register (once per character set) an embedded box font covering ``chars``; returns its name."""
    key = "".join(sorted(set(chars)))
    if key not in _EMBEDDED:
        name = f"XxgkBox{len(_EMBEDDED)}"
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(box_font(key, name))))
        _EMBEDDED[key] = name
    return _EMBEDDED[key]


# -- a tiny page writer: drawing operations are collected per page and rendered at the end ---------------


@dataclass
class Style:
    font: str = CID_FONT
    # "lines" | "rects" (thin filled rectangles) | "horizontal" | "none" | "open-header" (header rows without
    # vertical rules, the body fully ruled) | "open-body" (the header ruled, the body without vertical rules)
    # | "frame" (each table's outer border only)
    rules: str = "lines"
    header: str | None = "某某县人民政府政府信息公开工作年度报告"  # running header; None: none
    page_numbers: bool = True


class Writer:
    def __init__(self, style: Style | None = None, encrypt=None) -> None:
        self.style = style or Style()
        self.ops: list[list[tuple]] = []
        self.encrypt = encrypt
        self.y = TOP
        self.new_page()

    @property
    def page(self) -> int:
        return len(self.ops)

    def new_page(self) -> None:
        self.ops.append([])
        self.y = TOP

    def text(self, page: int, x: float, top: float, s: str, size: float = SIZE, angle: float = 0) -> None:
        """Text whose em box starts at ``top`` (display coordinates, from the top of the page); ``angle`` -90:
        rotated a quarter turn clockwise (reads top to bottom), ``x``/``top`` then its em box's top-left."""
        self.ops[page - 1].append(("text", x, top, s, size, angle))

    def line(self, page: int, x0: float, y0: float, x1: float, y1: float) -> None:
        self.ops[page - 1].append(("line", x0, y0, x1, y1))

    def ensure(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    def centred(self, s: str, size: float) -> None:
        self.ensure(size * 1.8)
        self.text(self.page, (PAGE_W - size * len(s)) / 2, self.y, s, size)
        self.y += size * 1.8

    def para(self, s: str, size: float = 10.5, indent: bool = True) -> None:
        per_line = int((RIGHT - LEFT) // size)
        first = per_line - 2 if indent else per_line
        lines = [s[:first]]
        rest = s[first:]
        while rest:
            lines.append(rest[:per_line])
            rest = rest[per_line:]
        for k, ln in enumerate(lines):
            self.ensure(size * 1.7)
            x = LEFT + (2 * size if indent and k == 0 else 0)
            self.text(self.page, x, self.y, ln, size)
            self.y += size * 1.7

    def heading(self, s: str) -> None:
        self.y += 4
        self.para(s, size=12, indent=False)

    def all_text(self) -> str:
        return "".join(op[3] for ops in self.ops for op in ops if op[0] == "text") + (self.style.header or "")

    def render(self) -> bytes:
        style = self.style
        font = style.font if style.font != "embedded" else embedded_font(self.all_text() + "-0123456789 ")
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), encrypt=self.encrypt)
        c.setLineWidth(0.5)
        for number, ops in enumerate(self.ops, 1):
            if style.header:
                c.setFont(font, 9)
                c.drawString((PAGE_W - 9 * len(style.header)) / 2, PAGE_H - 40, style.header)
            if style.page_numbers:
                c.setFont(font, 10.5)
                c.drawString(PAGE_W / 2 - 12, 40, f"- {number} -")
            for op in ops:
                if op[0] == "text":
                    _, x, top, s, size, angle = op
                    c.setFont(font, size)
                    if angle:
                        c.saveState()
                        c.translate(x + size * 0.12, PAGE_H - top)  # the baseline runs down the box's left
                        c.rotate(angle)
                        c.drawString(0, 0, s)
                        c.restoreState()
                    else:
                        c.drawString(x, PAGE_H - top - size * 0.88, s)
                else:
                    self._rule(c, *op[1:])
            c.showPage()
        c.save()
        return buf.getvalue()

    def _rule(self, c, x0: float, y0: float, x1: float, y1: float) -> None:
        kind = self.style.rules
        if kind == "none" or (kind == "horizontal" and x0 == x1):
            return
        if kind == "rects":  # Word and WPS draw each border as a thin filled rectangle
            w, h = max(x1 - x0, 0.5), max(y1 - y0, 0.5)
            c.rect(x0 - 0.25, PAGE_H - y0 - h + 0.25, w + 0.5 if x0 != x1 else 0.5, h, fill=1, stroke=0)
        else:
            c.line(x0, PAGE_H - y0, x1, PAGE_H - y1)


# -- tables: a grid renderer with row and column spans, page breaks, repeated header, rows split ---------


@dataclass
class GCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    align: str = "center"  # "left" | "center" | "right" (a number wider than its cell wraps, each line so aligned)
    vertical: str = ""  # "" | "stack" (one character per line) | "rotate" (turned a quarter, top to bottom)


@dataclass
class Grid:
    widths: list[float]
    cells: list[GCell] = field(default_factory=list)
    n_rows: int = 0
    header_rows: int = 0
    size: float = SIZE  # the table's font size (its line height scales with it)
    margin: float = 2.0  # a cell's left and right padding (Word's default 5.4, LibreOffice's 2.83)

    def add(self, *args, **kw) -> None:
        cell = GCell(*args, **kw)
        self.cells.append(cell)
        self.n_rows = max(self.n_rows, cell.row + cell.rowspan)


def text_width(text: str, size: float = SIZE) -> float:
    return sum(size / 2 if ch.isascii() else size for ch in text)


def wrap(text: str, width: float, vertical: str = "", size: float = SIZE, margin: float = 2.0) -> list[str]:
    if vertical == "stack":
        return list(text)
    if vertical == "rotate":
        return [text]
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch, size) > width - 2 * margin:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


@dataclass
class _Slice:
    """The part of a grid row on one page: virtual top (the table as if on one endless page), page, top, height."""

    row: int
    vtop: float
    page: int
    y: float
    h: float


def draw_grid(
    w: Writer,
    grid: Grid,
    break_before: int | None = None,
    repeat_header: bool = False,
    split_rows: bool = False,
    values_on: str = "first",
    mark: str | None = None,
) -> None:
    """Lay the grid out from ``w.y`` on. A row that does not fit goes to the next page (``break_before``: this
    row starts a page), unless ``split_rows``: then it breaks across the pages as Word allows by default, its
    label's lines divided between the two parts and its single-line cells on the ``values_on`` part. ``mark``
    (续表) is written above the table's part on each later page."""
    xs = [LEFT]
    for width in grid.widths:
        xs.append(xs[-1] + width)
    size = grid.size
    lh = LH * size / SIZE
    lines_of = {
        id(c): wrap(c.text, xs[c.col + c.colspan] - xs[c.col], c.vertical, size, grid.margin) for c in grid.cells
    }
    heights = [max(16.0, lh + PAD)] * grid.n_rows
    for cell in grid.cells:
        if cell.rowspan == 1:
            rotated = cell.vertical == "rotate"
            need = text_width(cell.text, size) + PAD if rotated else len(lines_of[id(cell)]) * lh + PAD
            heights[cell.row] = max(heights[cell.row], need)
    for cell in grid.cells:
        if cell.rowspan > 1:
            n = text_width(cell.text, size) if cell.vertical == "rotate" else len(lines_of[id(cell)]) * lh
            have = sum(heights[cell.row : cell.row + cell.rowspan])
            if n + PAD > have:
                heights[cell.row + cell.rowspan - 1] += n + PAD - have
    header_h = sum(heights[: grid.header_rows])
    slices: list[_Slice] = []
    repeats: list[tuple[int, float]] = []  # (page, top) of each repeated header
    if w.y + header_h + heights[min(grid.header_rows, grid.n_rows - 1)] > BOTTOM:  # the header and a row first
        w.new_page()
    page, y, v = w.page, w.y, 0.0
    split_at: dict[int, float] = {}  # row -> virtual y where it breaks
    for r, h in enumerate(heights):
        fits = y + h <= BOTTOM
        if r == break_before or (not fits and r > grid.header_rows):
            room = BOTTOM - y
            if split_rows and r != break_before and room >= lh + PAD + 2:
                first = PAD / 2 + lh * int((room - PAD) // lh)
                slices.append(_Slice(r, v, page, y, first))
                split_at[r] = v + first
                page, y = _next_page(w, grid, repeat_header, header_h, repeats, mark)
                slices.append(_Slice(r, v + first, page, y, h - first + PAD / 2))
                y += h - first + PAD / 2
                v += h
                continue
            page, y = _next_page(w, grid, repeat_header, header_h, repeats, mark)
        slices.append(_Slice(r, v, page, y, h))
        v += h
        y += h
    w.y = y + 10
    _draw(w, grid, xs, slices, lines_of, split_at, values_on)
    if w.style.rules == "frame":  # the outer border of each page's part, nothing inside
        for page in sorted({s.page for s in slices}):
            parts = [s for s in slices if s.page == page]
            top, bottom = parts[0].y, parts[-1].y + parts[-1].h
            for x0, y0, x1, y1 in ((xs[0], top, xs[-1], top), (xs[0], bottom, xs[-1], bottom),
                                   (xs[0], top, xs[0], bottom), (xs[-1], top, xs[-1], bottom)):  # fmt: skip
                w.line(page, x0, y0, x1, y1)
    for page, top in repeats:
        head = [_Slice(r, sum(heights[:r]), page, top + sum(heights[:r]), heights[r]) for r in range(grid.header_rows)]
        _draw(w, grid, xs, head, lines_of, {}, values_on, rows=set(range(grid.header_rows)))


def _next_page(
    w: Writer, grid: Grid, repeat_header: bool, header_h: float, repeats: list, mark: str | None = None
) -> tuple[int, float]:
    w.new_page()
    page, y = w.page, w.y
    if mark:
        w.text(page, LEFT, y, mark, size=10.5)
        y += 16
    if repeat_header and grid.header_rows:
        repeats.append((page, y))
        y += header_h
    return page, y


def _draw(w: Writer, grid: Grid, xs, slices: list[_Slice], lines_of, split_at, values_on, rows=None) -> None:
    def locate(vy: float) -> tuple[int, float, _Slice]:
        for s in slices:
            if s.vtop <= vy < s.vtop + s.h:
                return s.page, s.y + (vy - s.vtop), s
        s = slices[-1]
        return s.page, s.y + (vy - s.vtop), s

    for cell in grid.cells:
        if rows is not None and cell.row not in rows:
            continue
        mine = [s for s in slices if cell.row <= s.row < cell.row + cell.rowspan]
        if not mine:
            continue
        x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
        vtop = mine[0].vtop
        height = mine[-1].vtop + mine[-1].h - vtop
        lines = lines_of[id(cell)]
        size = grid.size
        lh = LH * size / SIZE
        if cell.vertical == "rotate":  # character by character: the part past a page break goes on the next
            vy = vtop + (height - text_width(cell.text, size)) / 2
            for ch in cell.text:
                step = text_width(ch, size)
                page, y, s = locate(vy)
                if locate(vy + step - 0.01)[2].page != s.page:
                    vy = locate(vy + step)[2].vtop + PAD / 2
                    page, y, s = locate(vy)
                w.text(page, (x0 + x1) / 2 - size / 2, y, ch, size, angle=-90)
                vy += step
        else:
            split = cell.rowspan == 1 and cell.row in split_at
            if split and len(lines) == 1:  # a value of a row broken across pages: on the part asked for
                first = vtop + PAD / 2 if values_on == "first" else split_at[cell.row] + PAD / 2
            elif split:
                first = vtop + PAD / 2  # a wrapped label in a broken row: top-aligned, runs on over the break
            else:
                first = vtop + (height - len(lines) * lh) / 2
            vy = first
            for text in lines:
                page, y, s = locate(vy + 1)
                below = locate(vy + 1 + size)[2]
                if below.page != s.page:  # a line does not straddle a page break: it moves to the next part
                    vy = below.vtop + PAD / 2
                    page, y, s = locate(vy + 1)
                x = x0 + grid.margin if cell.align == "left" else (x0 + x1 - text_width(text, size)) / 2
                if cell.align == "right":
                    x = x1 - grid.margin - text_width(text, size)
                w.text(page, x, y, text, size)
                vy += lh
        # rules: the cell's box on every page it touches
        pages: dict[int, list[_Slice]] = {}
        for s in mine:
            pages.setdefault(s.page, []).append(s)
        open_header = (w.style.rules == "open-header" and cell.row < grid.header_rows) or (
            w.style.rules == "open-body" and cell.row >= grid.header_rows
        )
        if w.style.rules == "frame":
            continue
        for page, parts in pages.items():
            top, bottom = parts[0].y, parts[-1].y + parts[-1].h
            if not open_header:
                w.line(page, x0, top, x0, bottom)
                w.line(page, x1, top, x1, bottom)
            w.line(page, x0, top, x1, top)
            w.line(page, x0, bottom, x1, bottom)


# -- the report ----------------------------------------------------------------------------------------------

GROUPS = {
    "results.denied": "（三）不予公开",
    "results.unavailable": "（四）无法提供",
    "results.not_processed": "（五）不予处理",
    "results.other": "（六）其他处理",
}
SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
PROSE = (
    "本年度，我县坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "围绕县委县政府中心工作，持续深化政务公开，不断提升政府信息公开工作质量和实效，切实保障人民群众的知情权、"
    "参与权、表达权和监督权。"
)


def label(key: str, kinds: tuple[str, ...], edition: str) -> str:
    from checker.labels import vocabulary

    for term in vocabulary().terms:
        if term.key == key and term.kind in kinds and edition in term.editions:
            return term.label
    raise KeyError(key)


@dataclass
class Layout:
    """How an export lays the three tables out (widths in points)."""

    label_widths: tuple[float, float, float] = (20.0, 50.0, 150.0)  # table 三: group, sub-group, row label
    app_width: float = 475.0  # table 三 as a whole
    review_col: float = 475.0 / 15  # table 四: each of the 15 columns
    group_label: str = "stack"  # 三、本年度办理结果: "stack" (one character per line) or "rotate"
    break_before: str | None = None  # table 三 row key that starts a new page
    repeat_header: bool = False
    split_rows: bool = False  # rows break across pages (Word's default)
    values_on: str = "first"  # where a broken row's values stand: "first" or "second" part
    review_break: bool = False  # table 四's row of values alone on the next page
    mark: str | None = None  # written above table 三's part on a later page (续表)
    size: float = SIZE  # the tables' font size
    app_values: tuple[float, ...] | None = None  # table 三's 7 value columns (None: equal shares of the rest)
    review_widths: tuple[float, ...] | None = None  # table 四's 15 columns (None: ``review_col`` each)
    intro: int = 2  # prose paragraphs under 一、总体情况 (moves every table down the pages)
    space_before: float = 0.0  # extra space above table 三 (moves its page break through its rows)
    margin: float = 2.0  # the cells' left and right padding
    # how table 三's and 四's values stand in their cells ("center", "left", "right"); a number wider than its
    # cell wraps as an office suite wraps it: the digits that do not fit on the next line, aligned the same way
    value_align: str = "center"


def value_text(values: dict, path: tuple[str, ...]) -> str:
    v = values.get(path)
    return "" if v is None else str(v)


def active_grid(edition: str, values: dict, size: float = SIZE, margin: float = 2.0) -> Grid:
    from checker import layout

    grid = Grid([150.0] + [325.0 / 6] * 6, size=size, margin=margin)
    r = 0
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        grid.add(r, 0, label(block, ("BLOCK",), edition), colspan=7)
        r += 1
        grid.add(r, 0, "信息内容")
        span = 6 // len(cols)
        for k, col in enumerate(cols):
            grid.add(r, 1 + k * span, label(col, ("ACTIVE_COL",), edition), colspan=span)
        r += 1
        for row in rows:
            grid.add(r, 0, label(row, ("ACTIVE_ROW",), edition), align="left")
            for k, col in enumerate(cols):
                grid.add(r, 1 + k * span, value_text(values, ("active", block, row, col)), colspan=span)
            r += 1
    return grid


def app_grid(edition: str, values: dict, lay: Layout) -> tuple[Grid, dict[str, int]]:
    """Table 三 as the template draws it: 3 label columns (group, sub-group, row label) and 7 value columns."""
    from checker import layout

    widths = lay.label_widths
    value_widths = list(lay.app_values or [(lay.app_width - sum(widths)) / 7] * 7)
    grid = Grid([*widths, *value_widths], header_rows=3, size=lay.size, margin=lay.margin)
    grid.add(0, 0, label("note", ("APP_NOTE",), edition), rowspan=3, colspan=3)
    grid.add(0, 3, "申请人情况", colspan=7)
    grid.add(1, 3, "自然人", rowspan=2)
    grid.add(1, 4, "法人或其他组织", colspan=5)
    grid.add(1, 9, "总计", rowspan=2)
    for k, text in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        grid.add(2, 4 + k, text)
    index: dict[str, int] = {}
    r = 3
    results_first = None
    groups: dict[str, list[int]] = {}
    for key in layout.APP_ROWS[edition]:
        index[key] = r
        group = next((g for g in GROUPS if key.startswith(g + ".")), None)
        if key.startswith("results.") and results_first is None:
            results_first = r
        if group:
            groups.setdefault(group, []).append(r)
            grid.add(r, 2, label(key, ("APP_ROW",), edition), align="left")
        elif key.startswith("results."):
            grid.add(r, 1, label(key, ("APP_ROW",), edition), colspan=2, align="left")
        else:
            grid.add(r, 0, label(key, ("APP_ROW",), edition), colspan=3, align="left")
        for k, col in enumerate(layout.APP_COLUMNS):
            grid.add(r, 3 + k, value_text(values, ("applications", key, col)), align=lay.value_align)
        r += 1
    for group, members in groups.items():
        grid.add(members[0], 1, GROUPS[group], rowspan=len(members))
    assert results_first is not None
    total = index["results.total"]
    grid.add(results_first, 0, "三、本年度办理结果", rowspan=total - results_first + 1, vertical=lay.group_label)
    return grid, index


def review_grid(values: dict, lay: Layout) -> Grid:
    from checker import layout

    grid = Grid(list(lay.review_widths or [lay.review_col] * 15), header_rows=3, size=lay.size, margin=lay.margin)
    grid.add(0, 0, "行政复议", colspan=5)
    grid.add(0, 5, "行政诉讼", colspan=10)
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for k, text in enumerate(heads):
        grid.add(1, k, text, rowspan=2)
    grid.add(1, 5, "未经复议直接起诉", colspan=5)
    grid.add(1, 10, "复议后起诉", colspan=5)
    for k, text in enumerate(heads * 2):
        grid.add(2, 5 + k, text)
    for g, group in enumerate(layout.REVIEW_ROWS):
        for k, col in enumerate(layout.REVIEW_COLUMNS):
            grid.add(3, g * 5 + k, value_text(values, ("review", group, col)), align=lay.value_align)
    return grid


def render_report(edition: str, values: dict, lay: Layout | None = None, style: Style | None = None, **kw) -> bytes:
    """A whole report: title, the six sections, the three tables laid out as ``lay`` says, drawn as ``style``."""
    lay = lay or Layout()
    year = 2020 if edition == "2019" else 2023
    w = Writer(style, **kw)
    w.centred("某某县人民政府", 16)
    w.centred(f"{year}年政府信息公开工作年度报告", 16)
    w.para(
        f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告中所列数据统计期限自{year}年1月1日起至{year}年"
        "12月31日止。如对本报告有疑问，请与某某县人民政府办公室联系。"
    )
    w.heading(SECTIONS[0])
    for _ in range(lay.intro):
        w.para(PROSE)
    w.heading(SECTIONS[1])
    draw_grid(w, active_grid(edition, values, lay.size, lay.margin))
    w.heading(SECTIONS[2])
    grid, index = app_grid(edition, values, lay)
    w.ensure(200)
    w.y = min(w.y + lay.space_before, BOTTOM - 60)
    brk = index[lay.break_before] if lay.break_before else None
    draw_grid(w, grid, break_before=brk, repeat_header=lay.repeat_header, split_rows=lay.split_rows,
              values_on=lay.values_on, mark=lay.mark)  # fmt: skip
    w.heading(SECTIONS[3])
    w.ensure(120)
    draw_grid(w, review_grid(values, lay), break_before=3 if lay.review_break else None)
    w.heading(SECTIONS[4])
    w.para(PROSE)
    w.heading(SECTIONS[5])
    w.para(f"{year}年，本机关未收取信息处理费。")
    return w.render()
