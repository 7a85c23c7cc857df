"""The reading flow: lines become the title, headings, paragraphs and tables, in page order.

A line inside a usable ruled table (``ruled.py``) belongs to that table; consecutive ruled pieces with nothing
between them but page furniture are one table (``stitch.py``), emitted as the same grid the DOCX and HTML
readers produce (a merged cell at every position it covers, its copies ``spanned``); a 续表 line between the
pieces does not end the table, and a ruled header without a value over a body with no vertical rules leaves
the whole table to the layout method. Elsewhere a table starts
at a line the template's tables start with: a ``第二十条第（N）项`` caption (主动公开), the ``本列数据的勾稽关系``
note or ``申请人情况`` (申请情况), a line of review header words beginning with ``行政复议`` (复议诉讼); it runs
until a section heading or a line of prose, across page breaks, and is read by the layout method
(``unruled.py``).
"""

from __future__ import annotations

import itertools
import re
import statistics

from ...labels import vocabulary
from ...model import Block, Cell, Document, Source
from ...normalize import fold
from ...values import is_value_text
from .bands import section_heading
from .ruled import Box, Piece, find_pieces
from .settings import DEFAULT, PdfSettings
from .stitch import continues, stitch
from .text import Frag, Line, Page, join
from .unruled import CAPTION, TableBuilder

# A line of the review table's header or a row of it: these words and numbers only.
_REVIEW_WORDS = re.compile(
    r"行政复议|行政诉讼|未经复议直接起诉|复议后起诉|结果维持|结果纠正|其他结果|尚未审结|总计|合计|[\d\s.,+\-—/]"
)
# The characters of those words: the review table's header cells wrapped in narrow columns, their lines side by
# side (结/果/维/持 beside 尚/未/审/结) make lines as long and dense as prose.
_REVIEW_CHARS = frozenset("行政复议诉讼未经直接起后结果维持纠正其他尚审总计合")
_ENDS_SENTENCE = re.compile(r"[。；;！？!?]$")
# A line saying that the table goes on: 续表, （续）, 续上表, 接上表, 表三（续）.
_CONTINUED = re.compile(r"^(?:表[一二三四五六七八九十\d]*)?[（(]?(?:续表|续上表|接上表|续)[)）]?[:：]?$")


class Layout:
    def __init__(self, doc: Document, pages: list[Page], settings: PdfSettings = DEFAULT) -> None:
        self.doc = doc
        self.pages = pages
        self.settings = settings
        self.vocab = vocabulary()
        self.para: list[Line] = []
        self.table: list[Line] = []
        self.table_kind: str | None = None
        self.bounds = {p.number: _text_bounds(p) for p in pages}
        self.by_page = {p.number: p for p in pages}
        self.pieces: dict[int, Piece] = {}  # id(line) -> the ruled table piece it stands in
        self.ruled: list[Piece] = []  # the ruled table being collected
        self.line_boxes: dict[int, list[tuple[float, float, float, float, int]]] = {}
        self.ordered: dict[int, bool] = {}  # the page's line boxes are sorted by top (see _where)
        # (table, row, col) -> page, x, y of a ruled cell's first character: where OCR confidences are looked up
        self.anchors: dict[tuple[int, int, int], tuple[int, float, float]] = {}

    def run(self) -> None:
        lines = [ln for p in self.pages for ln in p.lines]
        found: list[tuple[Piece, list[Line]]] = []
        carry: list[float] | None = None
        for page in self.pages:
            pieces = _pieces(page, self.settings, carry)
            carry = pieces[-1].xs if pieces and not _heading_below(page, pieces[-1]) else None
            for piece in pieces:
                held = [ln for ln in page.lines if all(piece.holds(f.cx, f.cy) for f in ln.frags)]
                found.append((piece, held))
                for line in held:
                    self.pieces.setdefault(id(line), piece)
        for piece, held in found:
            header = bool(held) and self._header_over_unruled(piece, held[-1], lines)
            if header or (held and self._values_after_unruled(piece, held, lines)):
                for line in held:  # the whole table (ruled header, unruled body) is read by the layout method
                    if self.pieces.get(id(line)) is piece:
                        del self.pieces[id(line)]
            if header:  # ...its header as the rules draw its cells: one fragment per cell, whole
                lines = _replace(lines, held, header_lines(piece, held, self.settings))
        start = self._title(lines)
        for line in lines[start:]:
            piece = self.pieces.get(id(line))
            if piece is not None:
                self._ruled_line(piece)
                continue
            if (self.ruled or self.table_kind is not None) and _CONTINUED.match(line.compact):
                continue  # 续表 above the part of a table on the next page: the table goes on
            self._close_ruled()
            self._line(line)
        self._close_ruled()
        self._close_table()
        self._flush_para()

    # -- ruled tables --

    def _header_over_unruled(self, piece: Piece, last: Line, lines: list[Line]) -> bool:
        """A ruled piece without a single value whose next line holds values outside any rules: a boxed header
        over a body drawn with horizontal rules only (or none)."""
        if any(box.lines and any(_is_number(t) for t in box.lines) for row in piece.grid for box in row):
            return False
        k = next((i for i, ln in enumerate(lines) if ln is last), None)
        if k is None:
            return False
        # the first row's values may stand a few lines down, centred beside a label wrapped over several lines
        for following in lines[k + 1 : k + 1 + self.settings.body_reach_lines]:
            if id(following) in self.pieces or following.page != last.page:
                return False
            if any(f.is_number for f in following.frags):
                return True
        return False

    def _values_after_unruled(self, piece: Piece, held: list[Line], lines: list[Line]) -> bool:
        """A ruled piece at the top of a page going on with a table (its first row holds values: table 四's row
        of values alone on the page, rows of a body drawn with horizontal rules only) that began on the page
        before without rules the reader could use (read by the layout method): the layout method reads the
        parts as one table."""
        if not any(_is_number(t) for box in piece.grid[0] for t in box.lines):
            return False
        k = next((i for i, ln in enumerate(lines) if ln is held[0]), None)
        if k is None:
            return False
        above = [ln for ln in lines[:k] if ln.page == held[0].page]
        if len(above) > 1 or any(len(ln.compact) > 6 for ln in above):  # only 续表 may stand above it
            return False
        before = k - len(above) - 1
        prev = lines[before] if before >= 0 else None
        if prev is None or prev.page != held[0].page - 1 or id(prev) in self.pieces:
            return False
        # ...and no ruled table still read as one stands on that page under its last section heading (a label's
        # characters below a ruled table's last rule are that table's)
        headings = [ln.top for ln in lines[: before + 1] if ln.page == prev.page and self._heading(ln)]
        start = max(headings, default=float("-inf"))
        return not any(p.page == prev.page and p.bottom > start for p in self.pieces.values())

    def _ruled_line(self, piece: Piece) -> None:
        if self.ruled and self.ruled[-1] is piece:
            return
        self._close_table()
        self._flush_para()
        if self.ruled and not continues(self.ruled, piece, self.settings):
            self._close_ruled()
        self.ruled.append(piece)

    def _close_ruled(self) -> None:
        if not self.ruled:
            return
        pieces, self.ruled = self.ruled, []
        grid = stitch(pieces, self.vocab, self.settings)
        if not grid:
            return
        number = sum(1 for b in self.doc.blocks if b.is_table) + 1
        rows: list[list[Cell]] = []
        where: dict[int, tuple[str, int, int | None]] = {}  # id(box) -> text, page, line: once per merged cell
        for r, row in enumerate(grid):
            cells = []
            for c, box in enumerate(row):
                spanned = (r > 0 and grid[r - 1][c] is box) or (c > 0 and row[c - 1] is box)
                known = where.get(id(box))
                if known is None:
                    known = where[id(box)] = (box.text, *self._where(box))
                    if box.anchor is not None:
                        self.anchors[(number, r + 1, c + 1)] = (box.anchor_page, *box.anchor)
                text, page, line = known
                cells.append(Cell(text, Source(page=page, line=line, table=number, row=r + 1, col=c + 1), spanned))
            rows.append(cells)
        first = rows[0][0].source
        self.doc.blocks.append(Block("table", "", Source(page=first.page, line=first.line, table=number), rows))

    def _where(self, box: Box) -> tuple[int, int | None]:
        """The page and text line of a cell: the line of its first character (of its middle when empty)."""
        number = box.anchor_page if box.anchor is not None else box.page
        x, y = box.anchor or ((box.x0 + box.x1) / 2, (box.top + box.bottom) / 2)
        best, distance = None, float("inf")
        anchored = box.anchor is not None
        # the lines are sorted by top: once a line's top is this far below y no later line is nearer, and a
        # line at distance 0 is never beaten (ties keep the first); ~1400 cells x every line otherwise
        boxes = self._line_boxes(number)
        ordered = self.ordered[number]
        for top, bottom, x0, x1, no in boxes:
            if ordered and top - y >= distance:
                break
            d = top - y if top > y else (y - bottom if y > bottom else 0.0)
            if anchored and not x0 - 1 <= x <= x1 + 1:
                d += 1000.0
            if d < distance:
                best, distance = no, d
                if d == 0.0:
                    break
        return number, best

    def _line_boxes(self, number: int) -> list[tuple[float, float, float, float, int]]:
        boxes = self.line_boxes.get(number)
        if boxes is None:
            page = self.by_page[number]
            boxes = self.line_boxes[number] = [(ln.top, ln.bottom, ln.x0, ln.x1, ln.no) for ln in page.lines]
            self.ordered[number] = all(a[0] <= b[0] for a, b in itertools.pairwise(boxes))
        return boxes

    def _title(self, lines: list[Line]) -> int:
        """Centred short lines at the top of the first page form the title."""
        if not lines:
            return 0
        page = lines[0].page
        left, right = self.bounds[page]
        middle = (left + right) / 2
        taken: list[Line] = []
        for line in lines[:4]:
            text = line.compact
            if line.page != page or len(text) > self.settings.title_max_chars or _ENDS_SENTENCE.search(text):
                break
            off_centre = abs((line.x0 + line.x1) / 2 - middle) > self.settings.title_centre * (right - left)
            if off_centre or line.x0 < left + 2 * line.height:
                break
            if self._heading(line):
                break
            taken.append(line)
        if taken:
            self.doc.add("heading", join([ln.text for ln in taken]), taken[0].source())
        return len(taken)

    def _line(self, line: Line) -> None:
        kind = self._anchor(line)
        if self._heading(line):
            self._close_table()
            self._flush_para()
            self.doc.add("heading", line.text, line.source())
            return
        if kind is not None:
            if kind != self.table_kind:
                self._close_table()
                self._flush_para()
                self.table_kind = kind
            self.table.append(line)
            return
        if self.table_kind is not None:
            if not self._prose(line):
                self.table.append(line)
                return
            self._close_table()
        self._paragraph_line(line)

    def _heading(self, line: Line) -> bool:
        text = line.text
        if len(line.compact) > self.settings.title_max_chars or any(f.is_number for f in line.frags[1:]):
            return False
        found = self.vocab.match_section(text, standalone=True)
        if found is None or found[1] or not found[0].numbering:
            return False
        term = self.vocab.match(text)
        return term is None or term.term.kind not in ("APP_ROW", "APP_GROUP")

    def _anchor(self, line: Line) -> str | None:
        """The table a line starts (or continues): its caption, note or first header words."""
        text = fold(line.compact)
        if CAPTION.match(text) and len(text) <= 20:
            return "active"
        if "本列数据的勾稽关系" in text or (text.startswith("申请人情况") and len(text) <= 16):
            return "app"
        if any(fold(f.text).replace(" ", "") == "申请人情况" for f in line.frags[1:]):
            return "app"  # beside the first line of a wrapped corner cell (本列数据的勾 / 稽关系为…)
        if self.table_kind != "app" and text.startswith("一、本年新收") and any(f.is_number for f in line.frags):
            return "app"
        if text.startswith("行政复议") and not _REVIEW_WORDS.sub("", text):
            return "review"
        return None

    def _prose(self, line: Line) -> bool:
        if any(f.is_number for f in line.frags[1:]) or (len(line.frags) > 1 and line.frags[0].is_number):
            return False
        text = line.compact
        if self.table_kind == "review" and set(text) <= _REVIEW_CHARS:
            return False
        left, right = self.bounds[line.page]
        s = self.settings
        wide = line.max_gap() < s.prose_gap and line.x1 - line.x0 >= s.prose_width * (right - left)
        return (len(text) >= s.prose_chars and wide) or (
            len(text) >= s.sentence_chars and bool(_ENDS_SENTENCE.search(text))
        )

    # -- paragraphs --

    def _paragraph_line(self, line: Line) -> None:
        if self.para and self._starts_paragraph(self.para[-1], line):
            self._flush_para()
        self.para.append(line)

    def _starts_paragraph(self, prev: Line, line: Line) -> bool:
        left = self.bounds[line.page][0]
        right = self.bounds[prev.page][1]
        h = max(line.height, prev.height)
        indented = line.x0 > left + self.settings.indent * h  # first-line indent
        short = prev.x1 < right - self.settings.short_line * h  # the previous line stops short
        apart = prev.page == line.page and line.top - prev.bottom > self.settings.blank_line * h  # a blank line
        return indented or short or apart

    def _flush_para(self) -> None:
        if self.para:
            self.doc.add("paragraph", join([ln.text for ln in self.para]), self.para[0].source())
            self.para = []

    # -- tables --

    def _close_table(self) -> None:
        if self.table_kind is None:
            return
        lines, kind = self.table, self.table_kind
        self.table, self.table_kind = [], None
        self._flush_para()
        number = sum(1 for b in self.doc.blocks if b.is_table) + 1
        block = TableBuilder(kind, lines, number, self.vocab, self.settings).build()
        if block.rows:
            self.doc.blocks.append(block)


def _pieces(page: Page, settings: PdfSettings, carry: list[float] | None) -> list[Piece]:
    """The page's ruled tables; a drawing the grid reader cannot make sense of leaves the page to the layout
    method rather than losing the file."""
    try:
        return find_pieces(page, settings, carry)
    except (ArithmeticError, IndexError, ValueError):
        return []


def header_lines(piece: Piece, held: list[Line], settings: PdfSettings) -> list[Line]:
    """A boxed header's lines as its rules draw its cells: each cell one fragment holding its whole text (its
    lines joined in reading order), a glyph high at the cell's vertical centre; cells centred alike share a
    line. Wrapped header cells in narrow columns (结/果/维/持 beside 尚/未/审/结) are not interleaved line by
    line, as the page's own lines would be."""
    frags: list[Frag] = []
    seen: set[int] = set()
    for row in piece.grid:
        for box in row:
            if id(box) in seen or not box.chars or not box.text:
                continue
            seen.add(id(box))
            size = statistics.median(c[4] - c[3] for c in box.chars)
            cy = (box.top + box.bottom) / 2
            x0, x1 = min(c[1] for c in box.chars), max(c[2] for c in box.chars)
            frags.append(Frag(box.text, x0, x1, cy - size / 2, cy + size / 2))
    out: list[Line] = []
    for frag in sorted(frags, key=lambda f: (f.cy, f.x0)):
        last = out[-1] if out else None
        if last is not None and abs(frag.cy - last.frags[0].cy) <= settings.line_centre * max(frag.h, last.height):
            last.frags.append(frag)
        else:
            near = min(held, key=lambda ln: abs(ln.top - frag.top))
            out.append(Line([frag], near.page, near.no, near.offset))
        frag.line = out[-1]
    for line in out:
        line.frags.sort(key=lambda f: f.x0)
    return out


def _replace(lines: list[Line], old: list[Line], new: list[Line]) -> list[Line]:
    """``lines`` with the lines ``old`` taken out and ``new`` put where the first of them stood."""
    gone = {id(ln) for ln in old}
    k = next((i for i, ln in enumerate(lines) if id(ln) in gone), None)
    if k is None or not new:
        return lines
    kept = [ln for ln in lines if id(ln) not in gone]
    at = sum(1 for ln in lines[:k] if id(ln) not in gone)
    return kept[:at] + new + kept[at:]


def _heading_below(page: Page, piece: Piece) -> bool:
    """A section heading under the page's last table: that table ended there, the next page's does not go on
    with it (its columns are not carried to a header at the top of the next page)."""
    return any(ln.top >= piece.bottom and section_heading(ln) for ln in page.lines)


def _is_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and is_value_text(text.strip())


def _text_bounds(page: Page) -> tuple[float, float]:
    if not page.lines:
        return 0.0, page.width
    lefts = [ln.x0 for ln in page.lines]
    rights = [ln.x1 for ln in page.lines]
    return min(lefts), max(rights)
