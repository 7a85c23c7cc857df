"""HTML reader: a report page as published on a government site, or saved from one.

Pages wrap the report in site chrome (navigation, breadcrumbs, share bars, related links, footers). The reader
finds the element that holds the report: the deepest one that contains most of the report markers (template
tables and section headings), or, on pages without markers, the deepest one holding most of the non-link
text. From that element it produces headings, paragraphs and tables in document order. Tables are expanded
into rectangular grids here (rowspan/colspan), so later stages never see HTML span attributes.

Every walk over the tree uses lxml's C iterators (``iterwalk``), never Python recursion, so deeply nested
markup cannot hit the recursion limit, and each pass is linear in the size of the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from .. import ids
from ..model import Block, BlockKind, Cell, Document, Problem, ReadError, Source
from ..normalize import fold, squeeze
from .decode import LOSSY_SUFFIX, decode_bytes

# Elements whose content is never part of the report.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "svg",
    "math", "canvas", "audio", "video", "map", "select", "option", "button", "input", "textarea",
    "head", "title", "meta", "link", "base",
)  # fmt: skip

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

# Elements that end the current line of text. Anything else (span, font, strong, o:p, custom tags) is inline
# and its text joins its neighbours: ``服<span>务</span>`` is one word.
_BREAKS = frozenset(
    (
        "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "tbody",
        "thead", "tfoot", "caption", "section", "article", "header", "footer", "nav", "aside", "main",
        "blockquote", "pre", "address", "center", "form", "fieldset", "legend", "figure", "figcaption",
        "details", "summary", "body", "html",
    )
) | _HEADINGS  # fmt: skip

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NON_SPACE = re.compile(r"\S")

# Labels that occur in the three template tables (both editions, after folding and removing spaces). A table
# whose own text contains two of them is a report table.
_TABLE_MARKERS = (
    "信息内容", "第二十条", "规章", "行政许可", "行政处罚", "申请人情况", "自然人", "本年新收", "予以公开",
    "不予公开", "行政复议", "行政诉讼", "结果维持", "结果纠正", "尚未审结",
)  # fmt: skip
# Words of the six section headings (and of the legacy 概述). Counted only in short, non-link text nodes, so
# that a preamble listing all sections or a related-links list does not count.
_SECTION_MARKERS = (
    "总体情况", "主动公开政府信息", "收到和处理政府信息公开申请", "政府信息公开行政复议", "存在的主要问题",
    "其他需要报告的事项", "概述",
)  # fmt: skip
_SECTION_MARKER_MAX_LEN = 40

MAX_COLS = 1000  # browsers cap colspan at 1000 as well
MAX_ROWSPAN = 65534  # the HTML limit
MAX_GRID_CELLS = 500_000  # one rectangular grid; a template table has under 500
_SPAN_VALUE = re.compile(r"\s*\+?(\d+)")


def read(data: bytes, path: str) -> Document:
    """Read an HTML page. Raises only ReadError, whatever the input."""
    try:
        return _read(data, path)
    except ReadError:
        raise
    except Exception as exc:  # the contract: ReadError or a Document, on any input
        raise ReadError(f"无法读取 HTML 文件（{type(exc).__name__}）") from None


def _read(data: bytes, path: str) -> Document:
    text, encoding = decode_bytes(data)
    if _looks_binary(text):
        raise ReadError("文件内容是二进制数据，不是 HTML 网页，可能已损坏或扩展名错误")
    root, too_deep = _parse(text)
    doc = Document(path=path, format="html", title=_title(root))
    if too_deep:
        doc.problems.append(Problem(ids.UNREADABLE, "网页标签嵌套层次过深，最深处的内容未能读取", severity="warning"))
    if encoding.endswith(LOSSY_SUFFIX):
        name = encoding.removesuffix(LOSSY_SUFFIX).upper()
        message = f"网页中有无法按 {name} 解码的字节，已替换为“\ufffd”，相关文字可能有乱码"
        doc.problems.append(Problem(ids.UNREADABLE, message, severity="warning"))
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    body = root.find("body")
    if body is None:
        body = root
    stats = _Stats.collect(body)
    content = _content_root(body, stats)
    _Extractor(doc, stats.layout_tables).run(content)
    if not doc.blocks:
        if too_deep:
            raise ReadError("网页标签嵌套层次过深，无法读取其中的内容")
        raise ReadError("网页中没有可读取的文字内容（可能只有图片、附件或脚本）")
    return doc


def _looks_binary(text: str) -> bool:
    """Control characters or replacement characters in bulk mean the bytes were not text in any encoding."""
    sample = text[:4096]
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad * 10 > len(sample)


def _parse(text: str) -> tuple[etree._Element, bool]:
    """Parse into a tree; also say whether libxml2 had to drop content nested too deeply."""
    # Re-encode as UTF-8 and say so: libxml2 then ignores the page's own (possibly wrong) charset declaration,
    # and an <?xml encoding?> declaration in a str cannot trip lxml. Line numbers are unchanged.
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.strip():
        raise ReadError("文件中没有 HTML 内容")
    # huge_tree lifts libxml2's default depth limit of 256 (its hard limit stays, which bounds the tree).
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml_html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        raise ReadError("文件中没有 HTML 内容") from None
    if root is None:
        raise ReadError("文件中没有 HTML 内容")
    too_deep = any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)
    return root, too_deep


def _title(root: etree._Element) -> str | None:
    """The article title: the CMS ``ArticleTitle`` meta (no site-name suffix) or else ``<title>``."""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").strip().lower() == "articletitle":
            title = squeeze(fold(meta.get("content") or ""))
            if title:
                return title
    for element in root.iter("title"):
        title = squeeze(fold(element.text_content()))
        if title:
            return title
    return None


# --------------------------------------------------------------------------------------------------------
# Finding the report inside the page


@dataclass(slots=True)
class _Count:
    text: int = 0  # CJK characters outside links
    link: int = 0  # CJK characters inside links
    markers: int = 0  # report markers: template tables and section-heading texts


class _Stats:
    """Per-element counts, gathered in one linear pass."""

    def __init__(self) -> None:
        self.counts: dict[etree._Element, _Count] = {}
        self.layout_tables: set[etree._Element] = set()  # tables that contain tables

    @classmethod
    def collect(cls, top: etree._Element) -> _Stats:
        stats = cls()
        stack: list[_Count] = []
        tables: list[tuple[etree._Element, set[str]]] = []  # open tables and the labels seen in them
        link_depth = 0
        for event, el in etree.iterwalk(top, events=("start", "end")):
            tag = el.tag if isinstance(el.tag, str) else ""
            if event == "start":
                count = _Count()
                stack.append(count)
                if tag == "a" and el.get("href") is not None:
                    link_depth += 1
                if tag == "table":
                    if tables:
                        stats.layout_tables.add(tables[-1][0])
                    tables.append((el, set()))
                stats._count_text(el.text, count, link_depth, tables)
                continue
            count = stack.pop()
            if tag == "a" and el.get("href") is not None:
                link_depth -= 1
            if tag == "table" and tables:
                _, labels = tables.pop()
                if len(labels) >= 2:
                    count.markers += 1
            stats.counts[el] = count
            if stack:
                parent = stack[-1]
                parent.text += count.text
                parent.link += count.link
                parent.markers += count.markers
                if el is not top:
                    stats._count_text(el.tail, parent, link_depth, tables)
        return stats

    @staticmethod
    def _count_text(
        text: str | None, count: _Count, link_depth: int, tables: list[tuple[etree._Element, set[str]]]
    ) -> None:
        if not text or text.isspace():
            return
        cjk = len(_CJK.findall(text))
        if link_depth:
            count.link += cjk
            return
        count.text += cjk
        if not cjk:
            return
        label = "".join(fold(text).split())
        if tables:
            labels = tables[-1][1]
            labels.update(marker for marker in _TABLE_MARKERS if marker in label)
        if len(label) <= _SECTION_MARKER_MAX_LEN and any(marker in label for marker in _SECTION_MARKERS):
            count.markers += 1

    def get(self, el: etree._Element) -> _Count:
        return self.counts.get(el) or _Count()


def _content_root(body: etree._Element, stats: _Stats) -> etree._Element:
    """The deepest element that still holds the report.

    With markers: descend while one child holds at least 80% of them (more than half, so at most one child
    qualifies). With only one or two markers their position says little, so the child must also hold half
    of the current element's text. Without markers: descend while one child holds 75% of the page's
    non-link text. Never descend into a data table: its cells are not the report.
    """
    total = stats.get(body)
    current = body
    if total.markers:
        need = max(total.markers - total.markers // 5, total.markers // 2 + 1)
        while True:
            here = stats.get(current)
            child = _find_child(
                current,
                stats,
                lambda c, here=here: c.markers >= need and (total.markers >= 3 or c.text * 2 >= here.text),
            )
            if child is None:
                return current
            current = child
    need_text = total.text * 3 / 4
    while total.text:
        child = _find_child(current, stats, lambda c: c.text >= need_text and c.text > 0)
        if child is None:
            break
        current = child
    return current


def _find_child(parent: etree._Element, stats: _Stats, accept: Callable[[_Count], bool]) -> etree._Element | None:
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "table" and child not in stats.layout_tables:
            continue
        count = stats.counts.get(child)
        if count is not None and accept(count):
            return child
    return None


# --------------------------------------------------------------------------------------------------------
# Blocks


class _Extractor:
    """Walks the content element once and appends blocks to the document in order."""

    def __init__(self, doc: Document, layout_tables: set[etree._Element]) -> None:
        self.doc = doc
        self.layout_tables = layout_tables
        self.pieces: list[str] = []
        self.link_chars = 0
        self.line: int | None = None
        self.kind: BlockKind = "paragraph"
        self.tables = 0

    def run(self, top: etree._Element) -> None:
        link_depth = 0
        walker = etree.iterwalk(top, events=("start", "end"))
        for event, el in walker:
            tag = el.tag if isinstance(el.tag, str) else ""
            is_link = tag == "a" and el.get("href") is not None
            if event == "start":
                if tag == "table" and el not in self.layout_tables:
                    rows = _table_rows(el)
                    if not _is_layout(rows):
                        self.flush()
                        self.table(el, rows)
                        walker.skip_subtree()  # the end event still comes, for the tail
                        continue
                    self.layout_tables.add(el)
                if tag in _BREAKS:
                    self.flush()
                    if tag in _HEADINGS:
                        self.kind = "heading"
                if is_link:
                    link_depth += 1
                self.add(el.text, el, link_depth)
                continue
            if is_link:
                link_depth -= 1
            if tag in _BREAKS and tag != "br":
                self.flush()
            if el is not top:
                self.add(el.tail, el, link_depth)
        self.flush()

    def add(self, text: str | None, el: etree._Element, link_depth: int) -> None:
        if not text:
            return
        if self.line is None and not text.isspace():
            self.line = el.sourceline
        self.pieces.append(text)
        if link_depth:
            self.link_chars += len(_NON_SPACE.findall(text))

    def flush(self) -> None:
        pieces, link_chars, line, kind = self.pieces, self.link_chars, self.line, self.kind
        self.pieces, self.link_chars, self.line, self.kind = [], 0, None, "paragraph"
        if not pieces:
            return
        raw = "".join(pieces)
        # Mostly-link lines are navigation, share bars, related links: chrome even inside the content element.
        if link_chars * 2 > len(_NON_SPACE.findall(raw)):
            return
        text = squeeze(fold(raw))
        if text:
            self.doc.blocks.append(Block(kind, text, Source(line=line)))

    def table(self, el: etree._Element, rows: list[list[_RawCell]]) -> None:
        caption = el.find("caption")
        if caption is not None:
            text = squeeze(fold(_cell_text(caption)))
            if text:
                self.doc.blocks.append(Block("paragraph", text, Source(line=caption.sourceline)))
        if not any(rows):
            return
        self.tables += 1
        grid, truncated = expand_grid(rows, self.tables)
        self.doc.blocks.append(Block("table", "", Source(table=self.tables, line=el.sourceline), grid))
        if truncated:
            self.doc.problems.append(
                Problem(
                    ids.UNREADABLE,
                    f"表{self.tables}过大，只读取了前面的部分",
                    Source(table=self.tables, line=el.sourceline),
                )
            )


# --------------------------------------------------------------------------------------------------------
# Tables


@dataclass(slots=True)
class _RawCell:
    text: str
    rowspan: int = 1  # 0: to the last row, as in HTML
    colspan: int = 1
    line: int | None = None


def _table_rows(table: etree._Element) -> list[list[_RawCell]]:
    """The table's own rows (directly or in thead/tbody/tfoot), each a list of its td/th cells."""
    rows: list[list[_RawCell]] = []
    for child in table:
        if child.tag == "tr":
            rows.append(_row_cells(child))
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(_row_cells(tr) for tr in child if tr.tag == "tr")
    return rows


def _row_cells(tr: etree._Element) -> list[_RawCell]:
    return [
        _RawCell(
            squeeze(fold(_cell_text(cell))),
            _span(cell.get("rowspan"), default=1, zero=0, limit=MAX_ROWSPAN),
            _span(cell.get("colspan"), default=1, zero=1, limit=MAX_COLS),
            cell.sourceline,
        )
        for cell in tr
        if cell.tag in ("td", "th")
    ]


def _is_layout(rows: list[list[_RawCell]]) -> bool:
    """A table of one column is layout (a page laid out in rows), not data: its cells become paragraphs."""
    return bool(rows) and all(len(row) <= 1 for row in rows)


def _span(value: str | None, *, default: int, zero: int, limit: int) -> int:
    """Parse a span attribute leniently, as browsers do: leading digits count, anything else is the default."""
    if value is None:
        return default
    match = _SPAN_VALUE.match(value)
    if not match:
        return default
    number = int(match.group(1)[:6])
    if number == 0:
        return zero
    return min(number, limit)


def _cell_text(cell: etree._Element) -> str:
    """All text of a cell; line-level elements inside it (br, p, div) become a space: ``本年新<br/>制作数量``."""
    if len(cell) == 0:
        return cell.text or ""
    parts: list[str] = []
    for event, el in etree.iterwalk(cell, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el is not cell and tag in _BREAKS:
                parts.append(" ")
            if el.text:
                parts.append(el.text)
        elif el is not cell:
            if tag in _BREAKS:
                parts.append(" ")
            if el.tail:
                parts.append(el.tail)
    return "".join(parts)


def expand_grid(rows: list[list[_RawCell]], table: int) -> tuple[list[list[Cell]], bool]:
    """Resolve rowspan/colspan into a rectangular grid; return it and whether it had to be truncated.

    A merged cell fills every position it covers; all copies but the top-left are ``spanned``. Malformed
    spans are survived the way browsers survive them: a rowspan reaching past the last row stops there, a
    cell overlapping an earlier one keeps only the free positions, short rows are padded with empty cells.
    The number of positions filled is bounded, so hostile spans cannot make this quadratic.
    """
    n_rows = len(rows)
    placed: list[dict[int, Cell]] = [{} for _ in range(n_rows)]
    budget = max(MAX_GRID_CELLS, 4 * sum(len(row) for row in rows))
    for r, row in enumerate(rows):
        occupied = placed[r]
        c = 0
        for raw in row:
            while c in occupied:
                c += 1
            if c >= MAX_COLS:
                break
            rowspan = n_rows - r if raw.rowspan == 0 else min(max(raw.rowspan, 1), n_rows - r)
            colspan = min(max(raw.colspan, 1), MAX_COLS - c)
            if rowspan * colspan > budget:
                rowspan = colspan = 1  # out of budget: stop expanding, keep reading
            budget -= rowspan * colspan
            for dr in range(rowspan):
                target = placed[r + dr]
                for dc in range(colspan):
                    if c + dc not in target:
                        source = Source(table=table, row=r + dr + 1, col=c + dc + 1, line=raw.line)
                        target[c + dc] = Cell(raw.text, source, spanned=dr > 0 or dc > 0)
            c += colspan
    width = max((max(row) + 1 for row in placed if row), default=0)
    truncated = n_rows * width > MAX_GRID_CELLS
    if truncated:
        width = max(1, MAX_GRID_CELLS // n_rows)
    grid = [
        [row.get(c) or Cell("", Source(table=table, row=r + 1, col=c + 1)) for c in range(width)]
        for r, row in enumerate(placed)
    ]
    return grid, truncated
