"""Where each finding goes in the Word document: back from the document model's positions to XML elements.

The DOCX reader records positions, not elements (``checker/readers/docx.py``): a table cell is ``T2!D28``
(the 2nd table block, grid row 28, grid column D) and a paragraph is ``line=k``, the k-th ``w:p`` of the body
in document order, paragraphs inside table cells included. :class:`BodyMap` walks the body of the
python-docx document exactly as the reader does — the same content-control look-through and the same grid
placement (the reader's own ``content`` and ``place``), layout frames unwrapped, nested tables inside a wide
cell counted as part of that cell — so each position leads back to the element it was read from.

:meth:`Placer.place` then chooses, for one finding, the most precise place there is: its cell, its paragraph,
the top-left cell of its table, its section's heading (a missing section: the heading of the section it should
have come before); a finding with none of these goes to the summary comment on the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from lxml import etree

from ..layout import SECTION_KEYS as SECTION_ORDER
from ..layout import TABLE_SECTION

# The reader's own walking primitives: sharing them keeps the two walks from drifting apart. They are private
# to the reader module; tests/test_annotate.py checks that every mapped cell holds the text the reader read.
from ..readers.docx import TBL, TC, TR, P, content, place

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding

PlaceKind = Literal["cell", "paragraph", "heading", "table", "title"]

_CELL_ADDRESS = re.compile(r"^T(\d+)!([A-Z]+)(\d+)$")


@dataclass
class BodyMap:
    """The body's paragraphs (``paragraphs[k - 1]`` is ``line=k``) and table cells (``tables[t - 1][(row,
    col)]``: the ``w:tc`` elements of the cell standing at that grid position, top-left one first; a cell
    merged down with ``w:vMerge`` has one per row it covers)."""

    paragraphs: list[etree._Element] = field(default_factory=list)
    tables: list[dict[tuple[int, int], list[etree._Element]]] = field(default_factory=list)

    @classmethod
    def of(cls, body: etree._Element) -> BodyMap:
        out = cls()
        out._walk(body)
        return out

    def _walk(self, container: etree._Element) -> None:
        for child in content(container, (P, TBL)):
            if child.tag == P:
                self.paragraphs.append(child)
            else:
                self._table(child)

    def _table(self, tbl: etree._Element) -> None:
        placed, grid = place(tbl)
        width = max((len(row) for row in grid), default=0)
        if width == 0:
            return
        if width <= 2 and next(tbl.iterdescendants(TBL), None) is not None:
            for tc, _origin in placed:  # a layout frame: its content is body content
                self._walk(tc)
            return
        elements: dict[int, list[etree._Element]] = {}
        for tc, origin in placed:
            self._cell_paragraphs(tc)
            elements.setdefault(id(origin), []).append(tc)
        cells: dict[tuple[int, int], list[etree._Element]] = {}
        for r, row in enumerate(grid):
            for c, entry in enumerate(row):
                if entry is not None:
                    cells[(r + 1, c + 1)] = elements.get(id(entry[0]), [])
        self.tables.append(cells)

    def _cell_paragraphs(self, container: etree._Element) -> None:
        # The reader counts a cell's paragraphs, nested tables' included, when it reads the cell's text.
        for child in content(container, (P, TBL)):
            if child.tag == P:
                self.paragraphs.append(child)
            else:
                for tr in content(child, (TR,)):
                    for tc in content(tr, (TC,)):
                        self._cell_paragraphs(tc)

    def cell(self, address: str | None) -> list[etree._Element]:
        """The ``w:tc`` elements of a cell address such as ``T2!D28``; empty when there is no such cell."""
        m = _CELL_ADDRESS.match(address or "")
        if not m:
            return []
        table, col, row = int(m[1]), _column_number(m[2]), int(m[3])
        if not 1 <= table <= len(self.tables):
            return []
        return self.tables[table - 1].get((row, col), [])

    def paragraph(self, line: int | None) -> etree._Element | None:
        if line is None or not 1 <= line <= len(self.paragraphs):
            return None
        return self.paragraphs[line - 1]


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class Place:
    """Where one finding's comment goes: the element(s) to anchor on and how precise that is."""

    kind: PlaceKind
    elements: list[etree._Element]  # w:tc (cell), w:p (paragraph, heading), first w:tc of a table; [] for title
    note: str | None = None  # said in the comment when the place is not the finding's own (a missing section)


class Placer:
    """Finds the place of each finding in one report's document."""

    def __init__(self, report: Report, body: BodyMap) -> None:
        self.body = body
        self.headings: dict[str, etree._Element] = {}
        for key, tok in report.parsed.sections if report.parsed else ():
            p = body.paragraph(tok.source.line)
            if p is None:  # a heading written in a table cell (reports laid out in a table do this)
                cell = body.cell(tok.source.cell)
                p = next(cell[0].iter(P), None) if cell else None
            if p is not None:
                self.headings.setdefault(key, p)
        # The document table each template table was read from, by the cells read from it.
        self.tables: dict[str, int] = {}
        for path, cell in report.cells.items():
            if cell.source.table is not None:
                self.tables.setdefault(path[0], cell.source.table)

    def place(self, finding: Finding) -> Place:
        location: Mapping[str, Any] = finding.location
        cell = self.body.cell(location.get("cell"))
        if cell:
            return Place("cell", cell)
        paragraph = self.body.paragraph(location.get("line"))
        if paragraph is not None:
            return Place("paragraph", [paragraph])
        table = location.get("table")
        section = location.get("section") or TABLE_SECTION.get(table or "")
        if table in self.tables and 1 <= self.tables[table] <= len(self.body.tables):
            first = self._first_cell(self.tables[table])
            if first is not None:
                return Place("table", [first])
        if section in SECTION_ORDER:
            if section in self.headings:
                return Place("heading", [self.headings[section]])
            missing = self._where_missing(section)
            if missing is not None:
                return Place("heading", [missing[0]], missing[1])
        return Place("title", [])

    def _first_cell(self, table: int) -> etree._Element | None:
        cells = self.body.tables[table - 1]
        for position in sorted(cells):
            if cells[position]:
                return cells[position][0]
        return None

    def _where_missing(self, section: str) -> tuple[etree._Element, str] | None:
        """The heading a missing section should have come before (the next present one in template order), or
        after (the last present one) when it should have been the last; with a note saying which."""
        index = SECTION_ORDER.index(section)
        for later in SECTION_ORDER[index + 1 :]:
            if later in self.headings:
                return self.headings[later], f"第{section}部分应写在本部分之前"
        for earlier in reversed(SECTION_ORDER[:index]):
            if earlier in self.headings:
                return self.headings[earlier], f"第{section}部分应写在本部分之后"
        return None


def text_runs(element: etree._Element) -> Iterator[etree._Element]:
    """The ``w:r`` under a paragraph or cell that show text: not deleted, not the VML copy of a text box,
    not inside a text box (a comment there would anchor in the shape, not in the cell), not the reference
    mark of a comment."""
    from ..readers.docx import MC_FALLBACK, R, W

    hidden = {W + "del", W + "moveFrom", MC_FALLBACK, W + "txbxContent"}
    for run in element.iter(R):
        if run.find(W + "commentReference") is not None:
            continue  # the mark of a comment already there, not text
        ancestor = run.getparent()
        skip = False
        while ancestor is not None and ancestor is not element:
            if ancestor.tag in hidden:
                skip = True
                break
            ancestor = ancestor.getparent()
        if not skip:
            yield run
