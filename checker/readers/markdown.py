"""Markdown reports: headings, paragraphs and pipe tables (GitHub style)."""

from __future__ import annotations

from ..model import Block, Cell, Document, Source
from ..normalize import fold
from ..patterns import regex
from .decode import decode_bytes
from .lines import drop_furniture

_HEADING = regex(r"^\s{0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_TABLE_ROW = regex(r"^\s*\|.*\|\s*$")
_DELIMITER = regex(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_MARKUP = regex(r"(\*\*|__|`|<br\s*/?>)")


def read(data: bytes, path: str) -> Document:
    text, _encoding = decode_bytes(data)
    doc = Document(path=path, format="md")
    lines = drop_furniture(fold(text).splitlines())
    i = 0
    while i < len(lines):
        line = lines[i]
        if _TABLE_ROW.match(line):
            j = _table_end(lines, i)
            numbered = [(n + 1, x) for n, x in enumerate(lines[i:j], i) if x.strip()]
            doc.blocks.append(_table(numbered, doc))
            i = j
            continue
        m = _HEADING.match(line)
        if m:
            doc.add("heading", _clean(m.group("text")), Source(line=i + 1))
            if doc.title is None:
                doc.title = _clean(m.group("text"))
        elif line.strip():
            doc.add("paragraph", _clean(line.strip()), Source(line=i + 1))
        i += 1
    return doc


def _table_end(lines: list[str], i: int) -> int:
    """The end of the pipe table starting at line ``i``. A table cut by a page break (blank lines, a page footer
    already blanked) continues when the next piece has as many columns: one table, not two."""
    j = i
    while True:
        while j < len(lines) and _TABLE_ROW.match(lines[j]):
            j += 1
        k = j
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k == j or k >= len(lines) or not _TABLE_ROW.match(lines[k]):
            return j
        if len(split_row(lines[k])) != len(split_row(lines[j - 1])):
            return j
        j = k


def _clean(text: str) -> str:
    return _MARKUP.sub(" ", text).strip()


def split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, current, escaped = [], [], False
    for ch in body:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
    cells.append("".join(current))
    return [_clean(c) for c in cells]


def _table(lines: list[tuple[int, str]], doc: Document) -> Block:
    table_no = sum(1 for b in doc.blocks if b.is_table) + 1
    rows: list[list[Cell]] = []
    first = lines[0][0]
    for lineno, line in lines:
        if _DELIMITER.match(line) and "-" in line:
            continue
        r = len(rows) + 1
        rows.append(
            [Cell(text, Source(line=lineno, table=table_no, row=r, col=c)) for c, text in enumerate(split_row(line), 1)]
        )
    width = max((len(r) for r in rows), default=0)
    for r, row in enumerate(rows, 1):
        while len(row) < width:
            row.append(Cell("", Source(line=row[0].source.line, table=table_no, row=r, col=len(row) + 1)))
    return Block("table", "", Source(line=first, table=table_no), rows)
