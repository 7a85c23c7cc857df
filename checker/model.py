"""The one document model every reader produces.

A reader turns a file into ordered blocks (headings, paragraphs, tables) and records for each where it came
from, so that a finding can point back into the document. Tables are grids with rowspan/colspan already
resolved: a merged cell occupies every grid position it covers, and all but its top-left copy are marked
``spanned`` so that it is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from . import ids

BlockKind = Literal["heading", "paragraph", "table"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where something stands in the original file. Unknown parts are None."""

    line: int | None = None  # 1-based line (text formats)
    page: int | None = None  # 1-based page (PDF)
    table: int | None = None  # 1-based table number in the document (HTML, DOCX, Markdown)
    row: int | None = None  # 1-based grid row inside that table
    col: int | None = None  # 1-based grid column inside that table

    @property
    def cell(self) -> str | None:
        """A spreadsheet-like cell address, e.g. ``T2!C12`` (table 2, row 12, column C)."""
        if self.table is None or self.row is None or self.col is None:
            return None
        return f"T{self.table}!{column_letters(self.col)}{self.row}"

    def describe(self) -> str:
        """Short Chinese description for messages: 第12行 / 第3页 / 表2第5行第3列."""
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.table is not None and self.row is not None:
            where = f"表{self.table}第{self.row}行"
            if self.col is not None:
                where += f"第{self.col}列"
            parts.append(where)
        elif self.line is not None:
            parts.append(f"第{self.line}行")
        return "".join(parts)


def column_letters(col: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(slots=True)
class Cell:
    text: str
    source: Source
    spanned: bool = False  # a copy produced by rowspan/colspan; the original is elsewhere


@dataclass(slots=True)
class Block:
    kind: BlockKind
    text: str = ""
    source: Source = field(default_factory=Source)
    rows: list[list[Cell]] = field(default_factory=list)  # tables only
    # False when the reader had to guess row boundaries (text scraped cell by cell): grid columns then say
    # nothing about which header a value belongs to.
    exact_grid: bool = True

    @property
    def is_table(self) -> bool:
        return self.kind == "table"


@dataclass(slots=True)
class Problem:
    """Something a reader or the parser noticed: becomes a finding (rule id from rules.md)."""

    rule: str
    message: str
    source: Source = field(default_factory=Source)
    severity: str | None = None  # None: the rule's own severity
    # canonical location: section / table / row / column keys (keys.md), and related cells
    location: dict[str, str] = field(default_factory=dict)
    expected: object = None
    actual: object = None


@dataclass(slots=True)
class Document:
    path: str
    format: str
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None  # from metadata (HTML <title>, DOCX core properties) when there is one
    problems: list[Problem] = field(default_factory=list)
    # None: read from the file's text. A scan read by OCR: each table cell's recognition confidence (0..1) by
    # its address (``T2!C5``), so that a finding on the cell can say the value was read by OCR.
    ocr: dict[str, float] | None = None

    def add(self, kind: BlockKind, text: str = "", source: Source | None = None) -> Block:
        block = Block(kind, text, source or Source())
        self.blocks.append(block)
        return block


class ReadError(Exception):
    """A file that cannot be read at all. ``rule`` is P001 (corrupt, empty...) or P002 (unsupported)."""

    def __init__(self, message: str, rule: str = ids.UNREADABLE) -> None:
        super().__init__(message)
        self.rule = rule
