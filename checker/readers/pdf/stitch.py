"""One table from its ruled pieces: the parts of a table on consecutive pages, with nothing between them but
page furniture, become one grid.

* A header repeated at the top of a later page (the same leading rows) is dropped.
* Pieces whose column lines differ (a later page drawn with other widths) are laid on the union of their
  column lines, a cell covering every union column it spans.
* A cell cut by the page break — a merged label cell (（三）不 / 予公开) or a row allowed to break across
  pages (the label's last line on the next page, or the values there) — is joined: where the first row of
  the later piece holds only the rest of a label (text that does not start a label of its own) and values
  whose cells above are empty (or the rest of a number the break cut: 2640 | 8), it is the same row. A header
  cell reaching the break does not swallow the rows below it.
* A piece continues a table only when it shares most of its column lines: 表三 ending a page and 表四 starting
  the next without their heading stay two tables.
"""

from __future__ import annotations

import itertools
import re

from ...normalize import NUMBERING, fold
from ...values import is_value_text
from .ruled import Box, Piece, broken_word, char_rows
from .settings import PdfSettings

_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")


def continues(table: list[Piece], piece: Piece, settings: PdfSettings) -> bool:
    """Whether ``piece`` continues the table made of ``table`` (pieces with nothing between them)."""
    last = table[-1]
    if piece.page not in (last.page, last.page + 1):
        return False
    if abs(piece.x0 - last.x0) > settings.column_match or abs(piece.x1 - last.x1) > settings.column_match:
        return False
    # most column lines shared (a later page may lack a few: its rows merge cells there); another table of the
    # same width (表三 then 表四 with their heading missing) has other columns
    inner = piece.xs[1:-1]
    known = {x for p in table for x in p.xs[1:-1]}
    shared = sum(1 for x in inner if any(abs(x - k) <= settings.column_match for k in known))
    return not inner or not known or shared >= settings.columns_shared * min(len(inner), len(known))


def stitch(pieces: list[Piece], vocab, settings: PdfSettings) -> list[list[Box]]:
    """The grid of one table from its pieces (rows x columns of Boxes; a merged cell is one Box)."""
    xs = _union([x for p in pieces for x in p.xs], settings.column_match)
    grid = _on_columns(pieces[0], xs)
    for prev, piece in itertools.pairwise(pieces):
        rows = _on_columns(piece, xs)
        rows = rows[_repeated_header(grid, rows) :]
        if rows:
            _join_cut(grid, rows, prev, vocab, settings)
            grid.extend(rows)
    return _tidy(grid)


def _union(positions: list[float], tolerance: float) -> list[float]:
    out: list[list[float]] = []
    for x in sorted(positions):
        if out and x - out[-1][-1] <= tolerance:
            out[-1].append(x)
        else:
            out.append([x])
    return [sum(g) / len(g) for g in out]


def _on_columns(piece: Piece, xs: list[float]) -> list[list[Box]]:
    """The piece's rows on the union columns: each union column takes the cell over its middle."""
    out = []
    for row in piece.grid:
        new = []
        for a, b in itertools.pairwise(xs):
            mid = (a + b) / 2
            k = next((j for j in range(len(piece.xs) - 1) if piece.xs[j] <= mid < piece.xs[j + 1]), None)
            new.append(row[k] if k is not None else Box(piece.page, a, b, piece.top, piece.bottom))
        out.append(new)
    return out


def _signature(row: list[Box]) -> tuple[str, ...]:
    return tuple(_SPACES.sub("", box.text) for box in row)


def _repeated_header(grid: list[list[Box]], rows: list[list[Box]]) -> int:
    """How many leading rows of a later piece repeat the table's leading rows (its header)."""
    k = 0
    while k < min(len(grid), len(rows)) and _signature(grid[k]) == _signature(rows[k]):
        if any(_is_value(box) for box in rows[k]):
            break
        k += 1
    return k


def _is_value(box: Box) -> bool:
    text = box.text.strip()
    return bool(text) and bool(_DIGIT.search(text)) and is_value_text(text)


def _continuation(box: Box, vocab) -> bool:
    """Text that goes on a cell begun above: not a value, not the start of a label of its own."""
    text = box.text.strip()
    if not text or _is_value(box):
        return False
    if NUMBERING.match(fold(text)):
        return False
    return vocab.match(text) is None


def _join_cut(grid: list[list[Box]], rows: list[list[Box]], prev: Piece, vocab, settings: PdfSettings) -> None:
    """Join the cells the page break cut: merged cells reaching the break into their continuation below it,
    and the first row of the later piece into the table's last row when it is the rest of a row broken across
    the pages."""
    merged: dict[int, Box] = {}
    single = _join_merged(grid, rows, prev, vocab, settings, merged)
    broken_row = any(b.chars for _, b in single) and all(
        not b.chars
        or (_continuation(b, vocab) and not _is_value(a))
        or (_is_value(b) and not a.chars)
        or _broken_across(a, b, settings)
        for a, b in single
    )
    if broken_row:
        for a, b in single:
            if id(b) not in merged:
                _join_pair(a, b, settings)
                merged[id(b)] = a
    _replace(rows, merged)
    if broken_row:  # the later piece's first row is the table's last row
        grid[-1] = rows[0]
        del rows[0]


def _join_merged(
    grid: list[list[Box]], rows: list[list[Box]], prev: Piece, vocab, settings: PdfSettings, merged: dict[int, Box]
) -> list[tuple[Box, Box]]:
    """Merged cells reaching the break joined to their continuation below it (recorded in ``merged``); returns
    the pairs of one-row cells (the row itself) for the caller to judge."""
    above, below = grid[-1], rows[0]
    first_top = min(box.top for box in below)
    single: list[tuple[Box, Box]] = []
    for a, b in zip(above, below, strict=False):
        if a is b or id(b) in merged:
            continue
        a_spans = sum(1 for row in grid if a in row) > 1
        b_spans = sum(1 for row in rows if b in row) > 1
        if not (a_spans or b_spans):
            single.append((a, b))
            continue
        if _is_value(a) or _is_value(b):
            continue
        if not any(_is_value(box) for row in grid if a in row for box in row):
            continue  # a header cell: the rows below the break are rows of their own
        # the cell reaches the break: it ends at the bottom of the earlier piece (or began on a page before it)
        reaches_break = a.page < prev.page or a.bottom >= prev.bottom - settings.same_edge
        if not reaches_break or b.top > first_top + settings.same_edge:
            continue
        if not b.chars:
            merged[id(b)] = a  # a merged cell whose text stands on the earlier page (or on none yet)
        elif not a.chars:
            _take(a, b)  # ... or on the later page only
            merged[id(b)] = a
        elif _continuation(b, vocab):
            a.lines = a.lines + b.lines
            a.chars = a.chars + b.chars
            merged[id(b)] = a
    return single


def _join_pair(a: Box, b: Box, settings: PdfSettings) -> None:
    """The two parts of one cell of a row broken across the pages made one (into ``a``)."""
    if b.chars and a.chars and _broken_across(a, b, settings):
        a.lines = [*a.lines[:-1], a.lines[-1] + b.lines[0], *b.lines[1:]]  # 2640 / 8 is 26408
        a.chars = a.chars + b.chars
    elif b.chars and a.chars:
        a.lines = a.lines + b.lines
        a.chars = a.chars + b.chars
    elif b.chars:
        _take(a, b)  # the value (or label) is only on the later page


def _take(a: Box, b: Box) -> None:
    a.lines, a.chars = b.lines, b.chars
    a.anchor, a.anchor_page = b.anchor, b.anchor_page


def _broken_across(a: Box, b: Box, settings: PdfSettings) -> bool:
    """A number (or word) the page break cut: the earlier part fills its cell's last line and both parts
    meet letter or digit to letter or digit."""
    if not (a.chars and b.chars and a.lines and b.lines):
        return False
    last, first = char_rows(a.chars, settings)[-1], char_rows(b.chars, settings)[0]
    return broken_word(last, first[0], a.x1 - a.x0 - 2 * settings.cell_padding)


def _replace(rows: list[list[Box]], merged: dict[int, Box]) -> None:
    for row in rows:
        for k, box in enumerate(row):
            if id(box) in merged:
                row[k] = merged[id(box)]


def _tidy(grid: list[list[Box]]) -> list[list[Box]]:
    """Drop rows that add nothing: every cell a copy of the cell above, or no text at all."""
    out: list[list[Box]] = []
    for row in grid:
        if not any(box.lines for box in row):
            continue
        if out and all(a is b for a, b in zip(out[-1], row, strict=False)):
            continue
        out.append(row)
    return out
