"""PDF reports: the text layer, laid out again into paragraphs, headings and the template's tables.

PDF has no paragraphs, cells or tables, only glyphs at positions. The characters and their boxes come from
PDFium through pypdfium2 (Apache-2.0/BSD): ~20 ms for a 6-page report, where pdfplumber (pdfminer) needs
0.23–0.33 s for the characters alone and 0.27–0.45 s with its table finder. Everything else is rebuilt here
from geometry:

* **Lines.** Characters are grouped into lines by their vertical centre, and a line into *fragments* at
  horizontal gaps wider than 0.4 of the glyph height: adjacent header cells of the 15-column review table
  stand only ~0.5 glyph apart, letter-spaced labels (``商 业 企 业``) ~0.3. In label columns fragments split by
  less than 0.8 glyph are joined again, except where a label sub-column starts.
* **Page furniture.** The first and last lines of a page are dropped when they are a page number
  (``- 3 -``, ``第3页``, ``3/6``) or, inside the top or bottom margin, text that repeats on other pages'
  first or last lines (running headers and footers).
* **Tables.** A table starts at a line the template's tables start with: a ``第二十条第（N）项`` caption (主动
  公开, one table of blocks), the ``本列数据的勾稽关系`` note or ``申请人情况`` (申请情况), a line of review
  header words beginning with ``行政复议`` (复议诉讼). It runs until a section heading or a line of prose, across
  page breaks: the part on a later page is placed right below the part before (a "virtual" y), and a header
  repeated at the top of a later page is dropped, so the table becomes one block. Inside a table:

  - the *value columns* are the x-ranges of the numbers (for 主动公开 blocks: of the header cells, since a
    single value cell spans three grid columns there). A column left blank in every row is recovered from
    the header text above it. Every value goes to the column its centre falls in, so a blank cell is ``""``
    and never shifts its neighbours.
  - the *rows* are the lines holding values (or a full row label of the template). A label line without
    values (a label wrapped over several lines, the values centred beside it) joins the row above or below,
    whichever label it stands closer to: lines of one cell are closer than lines of two rows.
  - *group labels* left of the row labels (三、本年度办理结果 written one character per line, （三）不予公开
    wrapped as ``（三）不`` / ``予公开``, even across a page break) are joined into one cell and emitted as a
    row of their own before the row where they begin.
  - the *header* is rebuilt per value column: the fragments above a column are joined top to bottom
    (``结果`` / ``维持`` → ``结果维持``); a fragment over several columns (法人或其他组织, 未经复议直接起诉) is a
    cell of its own. Header cells are emitted in reading order in one row.

  Ruling lines are not used: they are missing or incomplete in many exported PDFs, and the text positions
  alone determine the grid of the template's tables.

Every block and cell has ``Source(page=…, line=…)`` (line: 1-based text line on that page, furniture
excluded); table cells also ``table``/``row``/``col`` (column 1 is the row label when the table has one).

A PDF without a text layer (a scan) raises ``ReadError`` with the OCR message: it cannot be checked as it is.
Pages without text in an otherwise readable PDF are noted as a P001 problem. Encrypted and corrupt files
raise ``ReadError``; nothing else escapes. PDFium is not thread-safe: its part runs under a lock.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
import threading
from collections import Counter
from dataclasses import dataclass, field

from ..labels import vocabulary
from ..model import Block, Cell, Document, Problem, ReadError, Source
from ..normalize import NUMBERING, fold
from ..values import is_value_text

NO_TEXT_MESSAGE = "PDF 文件没有文字层（可能是扫描件或图片），无法读取内容，需要先进行文字识别（OCR）"
ENCRYPTED_MESSAGE = "PDF 文件已加密（设有打开密码），请去除密码后再检查"
CORRUPT_MESSAGE = "PDF 文件已损坏或不完整，无法读取，请重新下载或重新导出"
UNMAPPED_MESSAGE = "PDF 文件的文字层无法解码（字体缺少字符编码映射，提取出的是乱码），需要先进行文字识别（OCR）"

_ROW_KINDS = frozenset({"ACTIVE_ROW", "APP_ROW"})
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·.\s]*\d{1,4}[-—–－_~·.\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_CAPTION = re.compile(r"^第二十条第?\([一二三四五六七八九十]+\)项")
# A line of the review table's header or a row of it: these words and numbers only.
_REVIEW_WORDS = re.compile(
    r"行政复议|行政诉讼|未经复议直接起诉|复议后起诉|结果维持|结果纠正|其他结果|尚未审结|总计|合计|[\d\s.,+\-—/]"
)
_SPACES = re.compile(r"\s+")
_ENDS_SENTENCE = re.compile(r"[。；;！？!?]$")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
# A gap wider than this share of the glyph height splits a line into fragments. Adjacent header cells of the
# 15-column review table are ~0.5 glyph apart; letter-spaced labels (商 业 企 业) ~0.3.
_SPLIT_GAP = 0.4


# -- geometry ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Frag:
    """A run of characters on one line with no wide gap inside. y grows downwards (display coordinates)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line: _Line | None = None

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def h(self) -> float:
        return self.bottom - self.top

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def is_number(self) -> bool:
        return bool(_DIGIT.search(self.text)) and is_value_text(self.text)


@dataclass(slots=True)
class _Line:
    frags: list[_Frag]
    page: int
    no: int = 0  # 1-based line on its page (furniture excluded)
    offset: float = 0.0  # added to y inside a table that spans pages

    @property
    def top(self) -> float:
        return min(f.top for f in self.frags)

    @property
    def bottom(self) -> float:
        return max(f.bottom for f in self.frags)

    @property
    def x0(self) -> float:
        return self.frags[0].x0

    @property
    def x1(self) -> float:
        return self.frags[-1].x1

    @property
    def text(self) -> str:
        """Fragments joined; a space where the gap is a column gap or between two ASCII words."""
        out = self.frags[0].text
        for prev, f in itertools.pairwise(self.frags):
            out = out + " " + f.text if f.x0 - prev.x1 > max(prev.h, f.h) else _join([out, f.text])
        return out

    def max_gap(self) -> float:
        gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(self.frags)]
        return max(gaps) / self.height if gaps else 0.0

    @property
    def compact(self) -> str:
        return _SPACES.sub("", "".join(f.text for f in self.frags))

    @property
    def height(self) -> float:
        return statistics.median(f.h for f in self.frags)

    def source(self) -> Source:
        return Source(page=self.page, line=self.no)


def _join(parts: list[str], sep: str = "") -> str:
    """Join text pieces; a space only between two ASCII letters/digits (CJK text has none)."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and (sep == " " or (_ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]))):
            out += " "
        out += part
    return out


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)
    has_images: bool = False
    chars: int = 0
    unmapped: int = 0


# -- reading the text layer --------------------------------------------------------------------------------


def read(data: bytes, path: str) -> Document:
    """Read a PDF file. Raises ReadError (Chinese, one line) for a file that cannot be read."""
    try:
        with _PDFIUM:  # PDFium is not thread-safe; the layout work below runs outside the lock
            title, pages, broken = _text_layer(data)
        return _document(path, title, pages, broken)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"PDF 文件结构异常，无法解析（{type(exc).__name__}）") from exc


_PDFIUM = threading.Lock()


def _text_layer(data: bytes) -> tuple[str | None, list[_Page], list[int]]:
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("未安装 PDF 读取组件（pypdfium2），无法读取 PDF 文件", rule="P002") from None
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4:  # FPDF_ERR_PASSWORD
            raise ReadError(ENCRYPTED_MESSAGE) from None
        raise ReadError(CORRUPT_MESSAGE) from None
    except Exception:
        raise ReadError(CORRUPT_MESSAGE) from None
    try:
        pages: list[_Page] = []
        broken: list[int] = []
        for index in range(len(pdf)):
            try:
                pages.append(_read_page(pdf, index))
            except Exception:
                broken.append(index + 1)
        return _metadata_title(pdf), pages, broken
    finally:
        pdf.close()


def _document(path: str, title: str | None, pages: list[_Page], broken: list[int]) -> Document:
    doc = Document(path=path, format="pdf", title=title)
    total = sum(p.chars for p in pages)
    if total == 0:
        if broken and not pages:
            raise ReadError(CORRUPT_MESSAGE)
        raise ReadError(NO_TEXT_MESSAGE)
    if sum(p.unmapped for p in pages) > total / 2:
        raise ReadError(UNMAPPED_MESSAGE)
    if broken:
        doc.problems.append(Problem("P001", f"PDF 第{_pages(broken)}页已损坏，无法读取，该页内容未检查"))
    scanned = [p.number for p in pages if p.chars == 0 and p.has_images]
    if scanned:
        doc.problems.append(
            Problem(
                "P001",
                f"PDF 第{_pages(scanned)}页没有文字层（可能是扫描图片），该页内容未读取，需要先进行文字识别（OCR）",
                Source(page=scanned[0]),
            )
        )
    _strip_furniture(pages)
    _Layout(doc, pages).run()
    return doc


def _pages(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def _metadata_title(pdf) -> str | None:
    try:
        title = pdf.get_metadata_value("Title")
    except Exception:
        return None
    title = (title or "").strip()
    return title if "报告" in title or "年报" in title else None


def _read_page(pdf, index: int) -> _Page:
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        width, height = page.get_size()
        rotation = page.get_rotation() % 360
        out = _Page(index + 1, width, height)
        textpage = page.get_textpage()
        try:
            chars = _chars(raw, textpage.raw, out, width, height, rotation)
        finally:
            textpage.close()
        if not chars:
            out.has_images = _has_images(raw, page)
        if rotation in (90, 270):
            out.width, out.height = height, width
        out.lines = _lines(chars, out.number)
        return out
    finally:
        page.close()


def _has_images(raw, page) -> bool:
    count = raw.FPDFPage_CountObjects(page.raw)
    for i in range(min(count, 10000)):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        if raw.FPDFPageObj_GetType(obj) in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM):
            return True
    return False


_Char = tuple[str, float, float, float, float, bool]  # text, x0, x1, top, bottom, a space before it


def _chars(raw, tp, page: _Page, width: float, height: float, rotation: int) -> list[_Char]:
    """Visible characters with display-space boxes. Generated spaces and line breaks are dropped."""
    n = raw.FPDFText_CountChars(tp)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    rect = raw.FS_RECTF()
    out: list[_Char] = []
    map_error = getattr(raw, "FPDFText_HasUnicodeMapError", None)  # PDFium builds from 2023 on
    pending_high = 0
    space = False
    for i in range(max(n, 0)):
        code = raw.FPDFText_GetUnicode(tp, i)
        if 0xD800 <= code < 0xDC00:
            pending_high = code
            continue
        if 0xDC00 <= code < 0xE000:
            if not pending_high:
                continue
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
            pending_high = 0
        if code <= 32 or code in (0x3000, 0xA0, 0xFEFF, 0x200B, 0xFFFE, 0xFFFF) or code == 0x7F:
            space = space or (code in (32, 0x3000, 0xA0) and raw.FPDFText_IsGenerated(tp, i) != 1)
            continue
        if raw.FPDFText_IsGenerated(tp, i) == 1:
            continue
        page.chars += 1
        if map_error is not None and map_error(tp, i) == 1:
            page.unmapped += 1
            continue
        if not raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top):
            continue
        x0, x1, b, t = left.value, right.value, bottom.value, top.value
        if raw.FPDFText_GetLooseCharBox(tp, i, rect):
            lh, lw = rect.top - rect.bottom, rect.right - rect.left
            # Some fonts (vertical CJK text in Word exports) give loose boxes of the unscaled em square.
            if 0 < lh <= 6 * max(t - b, x1 - x0, 2.5) and lw <= 4 * max(x1 - x0, 2.5):
                x0, x1, b, t = rect.left, rect.right, rect.bottom, rect.top
            else:
                size = max(t - b, x1 - x0)
                mid = (t + b) / 2
                b, t = mid - size / 2, mid + size / 2
        if t - b < 0.5:
            mid = (t + b) / 2
            b, t = mid - 0.5, mid + 0.5
        x0, x1, y0, y1 = _rotate(x0, x1, b, t, width, height, rotation)
        out.append((chr(code), x0, x1, y0, y1, space))
        space = False
    return out


def _rotate(x0: float, x1: float, b: float, t: float, w: float, h: float, rotation: int) -> tuple[float, ...]:
    """A PDF user-space box (y up) as a display box (y down) on the page as shown (its /Rotate applied)."""
    if rotation == 90:
        return b, t, x0, x1
    if rotation == 180:
        return w - x1, w - x0, b, t
    if rotation == 270:
        return h - t, h - b, w - x1, w - x0
    return x0, x1, h - t, h - b


def _lines(chars: list[_Char], page: int) -> list[_Line]:
    """Group characters into lines (by vertical centre), and each line into fragments (at wide gaps)."""
    chars = sorted(chars, key=lambda c: (c[3] + c[4]) / 2)
    groups: list[list[_Char]] = []
    centre = size = 0.0
    for ch in chars:
        cy, h = (ch[3] + ch[4]) / 2, ch[4] - ch[3]
        if groups and abs(cy - centre) <= 0.35 * max(h, size):
            group = groups[-1]
            group.append(ch)
            centre += (cy - centre) / len(group)
            size = max(size, h)
        else:
            groups.append([ch])
            centre, size = cy, h
    lines = []
    for group in groups:
        group.sort(key=lambda c: c[1])
        frags: list[_Frag] = []
        run: list[_Char] = []
        for ch in group:
            if run:
                prev = run[-1]
                if ch[0] == prev[0] and abs(ch[1] - prev[1]) < 0.3 * max(prev[2] - prev[1], 1.0):
                    continue  # the same glyph drawn twice (fake bold, shadow)
                h = max(ch[4] - ch[3], prev[4] - prev[3])
                if ch[1] - prev[2] > _SPLIT_GAP * h:
                    frags.append(_frag(run))
                    run = []
            run.append(ch)
        if run:
            frags.append(_frag(run))
        line = _Line(frags, page)
        for f in frags:
            f.line = line
        lines.append(line)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _frag(run: list[_Char]) -> _Frag:
    text = run[0][0]
    for prev, ch in itertools.pairwise(run):
        gap = ch[1] - prev[2]
        if (ch[5] or gap > 0.25 * (ch[4] - ch[3])) and _ASCII_WORD.match(prev[0]) and _ASCII_WORD.match(ch[0]):
            text += " "
        text += ch[0]
    return _Frag(text, min(c[1] for c in run), max(c[2] for c in run), min(c[3] for c in run), max(c[4] for c in run))


# -- page furniture ----------------------------------------------------------------------------------------


def _strip_furniture(pages: list[_Page]) -> None:
    """Drop page numbers and running headers/footers: first or last lines of a page, in its margin, that are a
    page number or repeat on other pages."""
    edge_texts: Counter[str] = Counter()
    for page in pages:
        for line in _edge_lines(page):
            edge_texts[_furniture_key(line.compact)] += 1
    for page in pages:
        drop = set()
        for line in _edge_lines(page):
            text = line.compact
            key = _furniture_key(text)
            in_margin = line.bottom < page.height * 0.07 or line.top > page.height * 0.93
            page_number = bool(_PAGE_NUMBER.match(text)) and (in_margin or not text.isdigit())
            running = in_margin and len(pages) > 1 and edge_texts[key] >= 2 and len(text) <= 60
            if page_number or running:
                drop.add(id(line))
        page.lines = [ln for ln in page.lines if id(ln) not in drop]
        for no, line in enumerate(page.lines, 1):
            line.no = no


def _edge_lines(page: _Page) -> list[_Line]:
    lines = page.lines
    picked = lines[:2] + lines[-2:] if len(lines) > 4 else list(lines)
    return list({id(ln): ln for ln in picked}.values())


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)


# -- layout: paragraphs, headings, tables ------------------------------------------------------------------


class _Layout:
    def __init__(self, doc: Document, pages: list[_Page]) -> None:
        self.doc = doc
        self.pages = pages
        self.vocab = vocabulary()
        self.para: list[_Line] = []
        self.table: list[_Line] = []
        self.table_kind: str | None = None
        self.bounds = {p.number: _text_bounds(p) for p in pages}

    def run(self) -> None:
        lines = [ln for p in self.pages for ln in p.lines]
        start = self._title(lines)
        for line in lines[start:]:
            self._line(line)
        self._close_table()
        self._flush_para()

    def _title(self, lines: list[_Line]) -> int:
        """Centred short lines at the top of the first page form the title."""
        if not lines:
            return 0
        page = lines[0].page
        left, right = self.bounds[page]
        middle = (left + right) / 2
        taken: list[_Line] = []
        for line in lines[:4]:
            text = line.compact
            if line.page != page or len(text) > 40 or _ENDS_SENTENCE.search(text):
                break
            if abs((line.x0 + line.x1) / 2 - middle) > 0.08 * (right - left) or line.x0 < left + 2 * line.height:
                break
            if self._heading(line):
                break
            taken.append(line)
        if taken:
            self.doc.add("heading", _join([ln.text for ln in taken]), taken[0].source())
        return len(taken)

    def _line(self, line: _Line) -> None:
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

    def _heading(self, line: _Line) -> bool:
        text = line.text
        if len(line.compact) > 40 or any(f.is_number for f in line.frags[1:]):
            return False
        found = self.vocab.match_section(text, standalone=True)
        if found is None or found[1] or not found[0].numbering:
            return False
        term = self.vocab.match(text)
        return term is None or term.term.kind not in ("APP_ROW", "APP_GROUP")

    def _anchor(self, line: _Line) -> str | None:
        """The table a line starts (or continues): its caption, note or first header words."""
        text = fold(line.compact)
        if _CAPTION.match(text) and len(text) <= 20:
            return "active"
        if "本列数据的勾稽关系" in text or (text.startswith("申请人情况") and len(text) <= 16):
            return "app"
        if self.table_kind != "app" and text.startswith("一、本年新收") and any(f.is_number for f in line.frags):
            return "app"
        if text.startswith("行政复议") and not _REVIEW_WORDS.sub("", text):
            return "review"
        return None

    def _prose(self, line: _Line) -> bool:
        if any(f.is_number for f in line.frags[1:]) or (len(line.frags) > 1 and line.frags[0].is_number):
            return False
        text = line.compact
        left, right = self.bounds[line.page]
        wide = line.max_gap() < 1.5 and line.x1 - line.x0 >= 0.6 * (right - left)
        return (len(text) >= 20 and wide) or (len(text) >= 12 and bool(_ENDS_SENTENCE.search(text)))

    # -- paragraphs --

    def _paragraph_line(self, line: _Line) -> None:
        if self.para and self._starts_paragraph(self.para[-1], line):
            self._flush_para()
        self.para.append(line)

    def _starts_paragraph(self, prev: _Line, line: _Line) -> bool:
        left = self.bounds[line.page][0]
        right = self.bounds[prev.page][1]
        h = max(line.height, prev.height)
        indented = line.x0 > left + 1.2 * h  # first-line indent
        short = prev.x1 < right - 2.0 * h  # the previous line stops short
        apart = prev.page == line.page and line.top - prev.bottom > 1.5 * h  # a blank line between
        return indented or short or apart

    def _flush_para(self) -> None:
        if self.para:
            self.doc.add("paragraph", _join([ln.text for ln in self.para]), self.para[0].source())
            self.para = []

    # -- tables --

    def _close_table(self) -> None:
        if self.table_kind is None:
            return
        lines, kind = self.table, self.table_kind
        self.table, self.table_kind = [], None
        self._flush_para()
        number = sum(1 for b in self.doc.blocks if b.is_table) + 1
        block = _TableBuilder(kind, lines, number, self.vocab).build()
        if block.rows:
            self.doc.blocks.append(block)


def _text_bounds(page: _Page) -> tuple[float, float]:
    if not page.lines:
        return 0.0, page.width
    lefts = [ln.x0 for ln in page.lines]
    rights = [ln.x1 for ln in page.lines]
    return min(lefts), max(rights)


# -- tables ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Column:
    x0: float
    x1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class _Row:
    lines: list[_Line]
    values: list[_Frag] = field(default_factory=list)
    labels: list[_Frag] = field(default_factory=list)  # label-area fragments on the row's own lines
    extra: list[_Frag] = field(default_factory=list)  # label-area fragments of lines without values
    numeric: bool = False

    @property
    def cy(self) -> float:
        frags = self.values or self.labels
        return statistics.fmean(f.cy for f in frags) if frags else self.lines[0].top

    @property
    def vtop(self) -> float:
        """Top of the row's values (of its own lines when it has none), in table coordinates."""
        return min(f.top for f in self.values) if self.values else self.top

    @property
    def vbottom(self) -> float:
        return max(f.bottom for f in self.values) if self.values else self.bottom

    @property
    def top(self) -> float:
        return min(ln.top + ln.offset for ln in self.lines)

    @property
    def bottom(self) -> float:
        return max(ln.bottom + ln.offset for ln in self.lines)


class _TableBuilder:
    def __init__(self, kind: str, lines: list[_Line], number: int, vocab) -> None:
        self.kind = kind
        self.lines = lines
        self.number = number
        self.vocab = vocab
        self.rows: list[list[Cell]] = []

    def build(self) -> Block:
        lines = self._stitch_pages(self.lines)
        if self.kind == "active":
            for part in _split_blocks(lines):
                caption = part[0] if _CAPTION.match(fold(part[0].compact)) else None
                if caption is not None:
                    self._emit_row([(caption.compact, caption, None)])
                    part = part[1:]
                if part:
                    _Grid(self, part, header_columns=True).emit()
        else:
            _Grid(self, lines, header_columns=False).emit()
        first = self.lines[0]
        return Block("table", "", Source(page=first.page, line=first.no, table=self.number), self.rows)

    def _stitch_pages(self, lines: list[_Line]) -> list[_Line]:
        """Place each page's part right below the previous part; drop a header repeated on a later page."""
        out: list[_Line] = []
        header: set[str] = set()
        seen_data = False
        offset = 0.0
        gap = statistics.median(ln.height for ln in lines) if lines else 0.0
        repeating = new_page = False
        for i, line in enumerate(lines):
            if i and line.page != lines[i - 1].page:
                repeating = seen_data
                new_page = True
            if repeating:
                if self._repeats(line, header):
                    continue  # a header repeated at the top of the new page
                repeating = False
            if new_page:
                bottom = max(ln.bottom + ln.offset for ln in out) if out else 0.0
                offset = bottom + gap - line.top
                new_page = False
            line.offset = offset
            if _CAPTION.match(fold(line.compact)):
                seen_data = False
            if any(f.is_number for f in line.frags) or self._row_label(line):
                seen_data = True
            elif not seen_data:
                header.update(_SPACES.sub("", f.text) for f in line.frags)
            out.append(line)
        return out

    def _repeats(self, line: _Line, header: set[str]) -> bool:
        """Every fragment of the line was seen in the table's header (perhaps broken differently)."""
        if any(f.is_number for f in line.frags) or self._row_label(line):
            return False
        chars = set("".join(header))
        texts = [_SPACES.sub("", f.text) for f in line.frags]
        return bool(texts) and all(t in header or (len(t) > 1 and set(t) <= chars) for t in texts)

    def _row_label(self, line: _Line) -> bool:
        """The line starts with a full row label of the template (its values may follow)."""
        parts = []
        for f in line.frags:
            if f.is_number:
                break
            parts.append(f.text)
        match = self.vocab.match("".join(parts)) if parts else None
        return match is not None and match.term.kind in _ROW_KINDS

    def _emit_row(self, cells: list[tuple[str, _Line, int | None]]) -> None:
        row_no = len(self.rows) + 1
        row = []
        for k, (text, line, col) in enumerate(cells, 1):
            source = Source(page=line.page, line=line.no, table=self.number, row=row_no, col=col or k)
            row.append(Cell(text, source))
        if row:
            self.rows.append(row)


def _split_blocks(lines: list[_Line]) -> list[list[_Line]]:
    parts: list[list[_Line]] = []
    for line in lines:
        if _CAPTION.match(fold(line.compact)) or not parts:
            parts.append([])
        parts[-1].append(line)
    return parts


def _vfrag(f: _Frag) -> _Frag:
    """A fragment in the table's virtual coordinates (pages stacked)."""
    assert f.line is not None
    off = f.line.offset
    return _Frag(f.text, f.x0, f.x1, f.top + off, f.bottom + off, f.line)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


class _Grid:
    """One table (or one 第二十条 block): header cells, value columns, rows with their labels."""

    def __init__(self, builder: _TableBuilder, lines: list[_Line], header_columns: bool) -> None:
        self.b = builder
        self.lines = lines
        self.frags = {id(ln): [_vfrag(f) for f in ln.frags] for ln in lines}
        self.header_columns = header_columns
        self.rl: float | None = None  # left edge of the row-label column (see _row_label_left)

    # the first line holding a value or a full row label ends the header
    def _header_end(self) -> int:
        for i, line in enumerate(self.lines):
            if any(f.is_number for f in line.frags) or self.b._row_label(line):
                return i
        return len(self.lines)

    def emit(self) -> None:
        end = self._header_end()
        header = [f for ln in self.lines[:end] for f in self.frags[id(ln)]]
        body = self.lines[end:]
        columns = self._columns(header, body)
        boundary = columns[0].x0 - 1.0 if columns else float("inf")
        # the first row's label wrapped above its values: numbered label lines ending the header are body
        while end and all(f.cx < boundary for f in self.frags[id(self.lines[end - 1])]):
            if not NUMBERING.match(fold(self.lines[end - 1].compact)):
                break
            end -= 1
        header = [f for ln in self.lines[:end] for f in self.frags[id(ln)]]
        body = self.lines[end:]
        starts = _column_starts(_coalesce([f for ln in body for f in self.frags[id(ln)] if f.cx < boundary], []))
        for ln in body:
            frags = self.frags[id(ln)]
            labels = _coalesce([f for f in frags if f.cx < boundary], starts)
            self.frags[id(ln)] = labels + [f for f in frags if f.cx >= boundary]
        rows = self._rows(body, columns, boundary)
        has_label = any(r.labels or r.extra for r in rows) or any(f.cx < boundary for f in header)
        self._emit_header(header, columns, boundary, has_label)
        self._emit_rows(rows, columns, boundary, has_label)

    # -- columns --

    def _columns(self, header: list[_Frag], body: list[_Line]) -> list[_Column]:
        numbers = [f for ln in body for f in self.frags[id(ln)] if f.is_number]
        if self.header_columns:
            columns = self._header_columns(_coalesce(header, []))
            if columns:
                for f in numbers:
                    # a number right of every header cell: a column whose header is missing
                    if f.cx > columns[-1].x1 and not any(_overlap(c.x0, c.x1, f.x0, f.x1) for c in columns):
                        columns.append(_Column(f.x0, f.x1))
                return _merge_columns(columns)
        columns = _merge_columns([_Column(f.x0, f.x1) for f in numbers])
        return self._fill_columns(columns, header)

    def _header_columns(self, header: list[_Frag]) -> list[_Column]:
        """主动公开 blocks: the header cells right of 信息内容 are the value columns."""
        if not header:
            return []
        info = [f for f in header if "信息内容" in _SPACES.sub("", f.text)]
        left = info[0].x1 if info else min(f.x0 for f in header) + 1
        cells = [f for f in header if f.x0 >= left - 1 and f not in info]
        if not info and cells:
            first = min(cells, key=lambda f: f.x0)
            cells = [f for f in cells if f.x0 > first.x1]
        return _merge_columns([_Column(f.x0, f.x1) for f in cells])

    def _fill_columns(self, columns: list[_Column], header: list[_Frag]) -> list[_Column]:
        """A column blank in every row has no numbers: recover it from a header cell over the gap."""
        expected = {"app": 7, "review": 15}.get(self.b.kind)
        if not columns or expected is None or len(columns) >= expected:
            return columns
        centres = [c.cx for c in columns]
        pitch = statistics.median(b - a for a, b in itertools.pairwise(centres)) if len(centres) > 1 else 0
        if pitch <= 0:
            return columns
        narrow = [f for f in header if f.w <= 1.3 * pitch]
        added: list[_Column] = []
        for f in narrow:
            near = min(abs(f.cx - c) for c in centres)
            if near < 0.6 * pitch:
                continue
            inside = centres[0] - pitch * (expected - len(columns)) - 0.4 * pitch < f.cx
            inside = inside and f.cx < centres[-1] + pitch * (expected - len(columns)) + 0.4 * pitch
            if inside and all(_overlap(a.x0, a.x1, f.x0, f.x1) == 0 for a in added):
                added.append(_Column(f.cx - 1, f.cx + 1))
        if not added:
            return columns
        merged = sorted(columns + added, key=lambda c: c.cx)
        return merged if len(merged) <= expected else columns

    # -- rows --

    def _rows(self, body: list[_Line], columns: list[_Column], boundary: float) -> list[_Row]:
        rows: list[_Row] = []
        for line in body:
            frags = self.frags[id(line)]
            values = [f for f in frags if f.cx >= boundary]
            labels = [f for f in frags if f.cx < boundary]
            if values:
                row = _Row([line], values, labels, numeric=True)
                if rows and rows[-1].numeric is False and _same_band(rows[-1], row):
                    row.labels = rows[-1].labels + row.labels
                    row.lines = rows[-1].lines + row.lines
                    rows[-1] = row
                elif rows and not _shares_column(rows[-1], row, columns) and _same_band(rows[-1], row):
                    rows[-1].values += values
                    rows[-1].labels += labels
                    rows[-1].lines.append(line)
                else:
                    rows.append(row)
            else:
                rows.append(_Row([line], [], labels, numeric=False))
        numeric_rows = [r for r in rows if r.numeric]
        rl = _row_label_left(numeric_rows)
        anchors: list[_Row] = []
        orphans: list[_Frag] = []
        for row in rows:
            if row.numeric or (self._full_label(row, rl) and not (anchors and _same_band(anchors[-1], row))):
                anchors.append(row)
            elif anchors and _same_band(anchors[-1], row) and anchors[-1].numeric:
                anchors[-1].labels += row.labels
                anchors[-1].lines += row.lines
            else:
                orphans.extend(row.labels)
        if not anchors:
            anchors = [r for r in rows if r.labels]
            return anchors
        _assign_orphans(anchors, orphans)
        self.rl = rl
        return anchors

    def _full_label(self, row: _Row, rl: float | None) -> bool:
        text = "".join(_SPACES.sub("", f.text) for f in row.labels)
        match = self.b.vocab.match(text) if text else None
        if match is None or match.term.kind not in _ROW_KINDS:
            return False
        return rl is None or max(f.x1 for f in row.labels) > rl + 2

    # -- emitting --

    def _emit_header(self, header: list[_Frag], columns: list[_Column], boundary: float, has_label: bool) -> None:
        if not header:
            return
        cells: list[tuple[float, float, str, _Line, int | None]] = []
        label_frags = _merge_on_lines([f for f in header if f.cx < boundary])
        for stack in _stacks(label_frags, any_gap=True):
            first = stack[0]
            cells.append((first.top, first.x0, _stack_text(stack), first.line, 1 if has_label else None))
        stacked: dict[int, list[_Frag]] = {}
        spanning: list[_Frag] = []
        for f in header:
            if f.cx < boundary:
                continue
            col = _column_of(f, columns, share=0.6)
            if col is None:
                spanning.append(f)
            else:
                stacked.setdefault(col, []).append(f)
        for col, frags in stacked.items():
            frags.sort(key=lambda f: (f.top, f.x0))
            first = frags[0]
            cells.append((first.top, first.x0, _stack_text(frags), first.line, col + 1 + has_label))
        for stack in _stacks(spanning, any_gap=False):
            first = stack[0]
            col = _nearest_column(first, columns)
            cells.append((first.top, first.x0, _stack_text(stack), first.line, col + 1 + has_label))
        cells.sort(key=lambda c: (round(c[0], 0), c[1]))
        self.b._emit_row([(text, line, col) for _, _, text, line, col in cells])

    def _emit_rows(self, rows: list[_Row], columns: list[_Column], boundary: float, has_label: bool) -> None:
        rl = self.rl
        groups: list[_Frag] = []
        mains: dict[int, list[_Frag]] = {}
        owner: dict[int, _Row] = {}
        for row in rows:
            frags = row.labels + row.extra
            main, group = _split_group(frags, rl)
            mains[id(row)] = main
            for f in group:
                owner[id(f)] = row
            groups.extend(group)
        stacks = _stacks(groups, any_gap=False)
        before: dict[int, list[list[_Frag]]] = {}
        for stack in stacks:
            before.setdefault(id(owner[id(stack[0])]), []).append(stack)
        for row in rows:
            for stack in sorted(before.get(id(row), []), key=lambda s: s[0].x0):
                self.b._emit_row([(_stack_text(stack), stack[0].line, 1)])
            cells: list[tuple[str, _Line, int | None]] = []
            main = _reading_order(mains[id(row)])
            if main:
                cells.append((_join([f.text for f in main]), main[0].line, 1))
            if not row.numeric and not columns:
                self.b._emit_row(cells)
                continue
            slots: list[list[_Frag]] = [[] for _ in columns]
            for f in row.values:
                col = _nearest_column(f, columns)
                slots[col].append(f)
            value_line = row.lines[0] if not row.values else row.values[0].line
            for k, slot in enumerate(slots):
                slot.sort(key=lambda f: f.x0)
                text = _join([f.text for f in slot], " ")
                line = slot[0].line if slot else value_line
                cells.append((text, line, k + 1 + has_label))
            self.b._emit_row(cells)


def _column_starts(frags: list[_Frag]) -> list[float]:
    """x positions where label cells of at least three rows start (the label sub-columns)."""
    bins = Counter(round(f.x0 / 3) for f in frags)
    return [k * 3.0 for k, n in bins.items() if n >= 3]


def _coalesce(frags: list[_Frag], starts: list[float]) -> list[_Frag]:
    """Rejoin fragments of one line split at a narrow gap (< 0.8 glyph), unless the right one starts where a
    label sub-column starts."""
    by_line: dict[int, list[_Frag]] = {}
    for f in frags:
        by_line.setdefault(id(f.line), []).append(f)
    out = []
    for group in by_line.values():
        group.sort(key=lambda f: f.x0)
        merged = [group[0]]
        for f in group[1:]:
            prev = merged[-1]
            gap = f.x0 - prev.x1
            if gap <= 0.8 * max(f.h, prev.h) and not any(abs(f.x0 - x) <= 3 for x in starts):
                merged[-1] = _Frag(
                    _join([prev.text, f.text]),
                    prev.x0,
                    f.x1,
                    min(prev.top, f.top),
                    max(prev.bottom, f.bottom),
                    prev.line,
                )
            else:
                merged.append(f)
        out.extend(merged)
    return out


def _merge_on_lines(frags: list[_Frag]) -> list[_Frag]:
    """Fragments of one line joined into one (the label area of a header is one cell wide)."""
    by_line: dict[int, list[_Frag]] = {}
    for f in frags:
        by_line.setdefault(id(f.line), []).append(f)
    out = []
    for group in by_line.values():
        group.sort(key=lambda f: f.x0)
        text = _join([f.text for f in group])
        out.append(
            _Frag(
                text,
                group[0].x0,
                max(f.x1 for f in group),
                min(f.top for f in group),
                max(f.bottom for f in group),
                group[0].line,
            )
        )
    return out


def _reading_order(frags: list[_Frag]) -> list[_Frag]:
    """Fragments of one label cell: line by line (pages stacked), left to right."""
    return sorted(frags, key=lambda f: (f.line.top + f.line.offset if f.line else f.top, f.x0))


def _assign_orphans(rows: list[_Row], orphans: list[_Frag]) -> None:
    """Give each label line without values to the row above or below it: to the one whose label text (or,
    lacking any in that column, whose values) it stands closer to. Lines of one cell are closer together than
    lines of two rows (cell padding and rule), and a numbered line starts a label, so it opens the row below.
    The closest line is placed first, so a label wrapped over several lines grows line by line."""
    members = {id(r): list(r.labels) for r in rows}
    centres = [r.cy for r in rows]
    pending = list(orphans)

    def gap(f: _Frag, row: _Row) -> float:
        near = [m for m in members[id(row)] if _overlap(m.x0, m.x1, f.x0, f.x1) > 0]
        boxes = [(m.top, m.bottom) for m in near] or [(row.vtop, row.vbottom)]
        return min(max(0.0, top - f.bottom, f.top - bottom) for top, bottom in boxes)

    def opens(row: _Row) -> bool:
        own = sorted(row.labels, key=lambda m: m.x0)
        return bool(own) and bool(NUMBERING.match(fold(own[-1].text)))

    while pending:
        best: tuple[float, int, _Frag, _Row] | None = None
        for k, f in enumerate(pending):
            below = next((i for i, c in enumerate(centres) if c > f.cy), len(rows))
            candidates = [rows[i] for i in (below - 1, below) if 0 <= i < len(rows)]
            if NUMBERING.match(fold(f.text)) and below < len(rows) and not opens(rows[below]):
                candidates = [rows[below]]
            for row in candidates:
                g = gap(f, row)
                if best is None or g < best[0]:
                    best = (g, k, f, row)
        assert best is not None
        _, k, f, row = best
        row.extra.append(f)
        members[id(row)].append(f)
        pending.pop(k)


def _same_band(a: _Row, b: _Row) -> bool:
    ov = _overlap(a.top, a.bottom, b.top, b.bottom)
    return ov >= 0.3 * min(a.bottom - a.top, b.bottom - b.top)


def _shares_column(a: _Row, b: _Row, columns: list[_Column]) -> bool:
    if not a.values:
        return False
    used = {_nearest_column(f, columns) for f in a.values}
    return any(_nearest_column(f, columns) in used for f in b.values)


def _row_label_left(rows: list[_Row]) -> float | None:
    """The left edge of the row-label column: the most common start of the label next to the values."""
    lefts = [max(r.labels, key=lambda f: f.x1).x0 for r in rows if r.labels]
    if len(lefts) < 3:
        return None
    bins = Counter(round(x / 4) for x in lefts)
    best = max(bins.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return min(x for x in lefts if round(x / 4) == best)


def _split_group(frags: list[_Frag], rl: float | None) -> tuple[list[_Frag], list[_Frag]]:
    """A row's label fragments: the row label itself, and group labels standing left of the row labels."""
    if rl is None or not frags:
        return frags, []
    main = [f for f in frags if f.x1 > rl + 2]
    if not main:
        last = max(frags, key=lambda f: f.x1)
        main = [f for f in frags if _overlap(f.x0, f.x1, last.x0, last.x1) >= 0.5 * min(f.w, last.w)]
    group = []
    for f in frags:
        if f in main:
            continue
        if any(_overlap(f.x0, f.x1, m.x0, m.x1) >= 0.5 * min(f.w, m.w) for m in main):
            main.append(f)  # a wrapped line of the row label
        else:
            group.append(f)
    return main, group


def _stacks(frags: list[_Frag], any_gap: bool) -> list[list[_Frag]]:
    """Join fragments standing above each other (overlapping in x) into cells, top to bottom."""
    stacks: list[list[_Frag]] = []
    for f in sorted(frags, key=lambda f: (f.top, f.x0)):
        target = None
        for stack in reversed(stacks):
            last = stack[-1]
            if _overlap(f.x0, f.x1, last.x0, last.x1) < 0.3 * min(f.w, last.w):
                continue
            # across a page break the parts are stacked with an arbitrary gap: be lenient there
            reach = 1.6 if f.line is last.line or f.line.page == last.line.page else 3.5
            if any_gap or f.top - last.bottom <= reach * max(f.h, last.h):
                target = stack
            break
        if target is None:
            stacks.append([f])
        else:
            target.append(f)
    return stacks


def _stack_text(stack: list[_Frag]) -> str:
    return _join([f.text for f in stack])


def _column_of(f: _Frag, columns: list[_Column], share: float) -> int | None:
    """The column holding most of the fragment (at least ``share`` of its width), else None."""
    if not columns:
        return None
    bounds = _column_bounds(columns)
    best, best_ov = None, 0.0
    for k, (a, b) in enumerate(bounds):
        ov = _overlap(a, b, f.x0, f.x1)
        if ov > best_ov:
            best, best_ov = k, ov
    if best is not None and best_ov >= share * max(f.w, 0.1):
        return best
    return None


def _nearest_column(f: _Frag, columns: list[_Column]) -> int:
    bounds = _column_bounds(columns)
    for k, (a, b) in enumerate(bounds):
        if a <= f.cx < b:
            return k
    return min(range(len(columns)), key=lambda k: abs(columns[k].cx - f.cx))


def _column_bounds(columns: list[_Column]) -> list[tuple[float, float]]:
    """Each column's x-range: from the middle of the gap before it to the middle of the gap after it."""
    bounds = []
    for k, col in enumerate(columns):
        a = (columns[k - 1].x1 + col.x0) / 2 if k else col.x0 - (col.x1 - col.x0) - 20
        b = (col.x1 + columns[k + 1].x0) / 2 if k + 1 < len(columns) else col.x1 + (col.x1 - col.x0) + 20
        bounds.append((a, b))
    return bounds


def _merge_columns(columns: list[_Column]) -> list[_Column]:
    out: list[_Column] = []
    for col in sorted(columns, key=lambda c: c.x0):
        if out and col.x0 <= out[-1].x1 + 0.5:
            out[-1].x1 = max(out[-1].x1, col.x1)
        else:
            out.append(_Column(col.x0, col.x1))
    return out
