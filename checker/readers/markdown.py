"""Markdown reports: headings, paragraphs and pipe tables (GitHub style)."""

from __future__ import annotations

import re

from ..model import Block, Cell, Document, Source
from ..normalize import fold
from .decode import decode_bytes

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_DELIMITER = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_MARKUP = re.compile(r"(\*\*|__|`|<br\s*/?>)")


def read(data: bytes, path: str) -> Document:
    text, _encoding = decode_bytes(data)
    doc = Document(path=path, format="md")
    lines = fold(text).splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if _TABLE_ROW.match(line):
            j = i
            while j < len(lines) and _TABLE_ROW.match(lines[j]):
                j += 1
            doc.blocks.append(_table(lines[i:j], i + 1, doc))
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


def _table(lines: list[str], first: int, doc: Document) -> Block:
    table_no = sum(1 for b in doc.blocks if b.is_table) + 1
    rows: list[list[Cell]] = []
    for k, line in enumerate(lines):
        if _DELIMITER.match(line) and "-" in line:
            continue
        r = len(rows) + 1
        rows.append(
            [
                Cell(text, Source(line=first + k, table=table_no, row=r, col=c))
                for c, text in enumerate(split_row(line), 1)
            ]
        )
    width = max((len(r) for r in rows), default=0)
    for r, row in enumerate(rows, 1):
        while len(row) < width:
            row.append(Cell("", Source(line=row[0].source.line, table=table_no, row=r, col=len(row) + 1)))
    return Block("table", "", Source(line=first, table=table_no), rows)
