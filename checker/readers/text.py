"""Plain text reports: prose, text scraped from web pages, and tables in three shapes.

- cell lines: a web scraper wrote every table cell as a line ending in ``|``; lines of pipes alone separate
  rows (seed report 003);
- tab- or space-aligned tables: a label followed by its values on one line;
- flattened tables: the whole table glued into running text (the lexer scans those).

Only the first shape needs the reader's help: consecutive cell lines become one table block. The other two
are paragraphs whose lines the lexer scans inside table zones.
"""

from __future__ import annotations

import re

from ..model import Block, Cell, Document, Source
from ..normalize import fold
from ..values import is_value_text
from .decode import decode_bytes
from .lines import drop_furniture

_CELL_LINE = re.compile(r"^(?P<text>.*?)\s*\|\s*$")
_PIPES_ONLY = re.compile(r"^\s*\|+\s*$")


# Markdown saved as .txt (converters and LLM transcriptions do this): a pipe-table delimiter row or ATX headings.
_MARKDOWN_HINT = re.compile(r"^\s*\|\s*:?-{3,}:?\s*\|", re.M)
# A row of cells between pipes ("| 1.属于国家秘密 | 0 | | | 0 |"): two such lines make the file a pipe table,
# whose empty cells are blanks (never glued to their neighbours as running text would glue them).
_PIPE_ROW = re.compile(r"^\s*\|[^|\n]*[^|\s][^|\n]*\|[^\n]*\|\s*$", re.M)


def read(data: bytes, path: str) -> Document:
    text, _encoding = decode_bytes(data)
    if _MARKDOWN_HINT.search(text) or len(_PIPE_ROW.findall(text)) >= 2:
        from . import markdown

        doc = markdown.read(data, path)
        doc.format = "txt"
        return doc
    doc = Document(path=path, format="txt")
    lines = drop_furniture(fold(text).splitlines())
    add_lines(doc, lines)
    return doc


def add_lines(doc: Document, lines: list[str], first_line: int = 1) -> None:
    i = 0
    while i < len(lines):
        if _CELL_LINE.match(lines[i]):
            j = i
            while j < len(lines) and (_CELL_LINE.match(lines[j]) or not lines[j].strip()):
                j += 1
            doc.blocks.append(_cell_table(lines[i:j], first_line + i, doc))
            i = j
            continue
        line = lines[i].strip()
        if line:
            doc.add("paragraph", line, Source(line=first_line + i))
        i += 1


def _cell_table(lines: list[str], first: int, doc: Document) -> Block:
    """Rows of ``cell |`` lines. A line of pipes alone ends a row, except a single ``|`` between two value
    cells, which is an empty cell (a blank value must not shift its neighbours)."""
    table_no = sum(1 for b in doc.blocks if b.is_table) + 1
    rows: list[list[Cell]] = [[]]
    for k, line in enumerate(lines):
        lineno = first + k
        if not line.strip():
            continue
        if _PIPES_ONLY.match(line):
            if line.strip() == "|" and _between_values(lines, k):
                rows[-1].append(Cell("", Source(line=lineno)))
            elif rows[-1]:
                rows.append([])
            continue
        m = _CELL_LINE.match(line)
        assert m is not None
        rows[-1].append(Cell(m.group("text").strip(), Source(line=lineno)))
    rows = [r for r in rows if r]
    for r, row in enumerate(rows, 1):
        for c, cell in enumerate(row, 1):
            cell.source = Source(line=cell.source.line, table=table_no, row=r, col=c)
    return Block("table", "", Source(line=first, table=table_no), rows, exact_grid=False)


def _between_values(lines: list[str], k: int) -> bool:
    def neighbour(step: int) -> str | None:
        j = k + step
        while 0 <= j < len(lines):
            m = _CELL_LINE.match(lines[j])
            if m and not _PIPES_ONLY.match(lines[j]):
                return m.group("text")
            if lines[j].strip() and not _PIPES_ONLY.match(lines[j]):
                return None
            j += step
        return None

    before, after = neighbour(-1), neighbour(1)
    return before is not None and after is not None and is_value_text(before) and is_value_text(after)
