"""Ruled tables: the cells as the page draws them.

The rules of a page (``paths.py``) are snapped (positions closer than ``snap`` become one), joined (collinear
pieces with small gaps become one rule) and grouped into tables: rules that meet belong to one table. The
table's grid lines are the positions of its rules (its outer edges also where only the other direction's rules
end, as in tables without side borders). Two neighbouring grid cells are one cell when no rule separates
them, which gives rowspan and colspan. Each character goes to the cell holding its centre, and the text of a
cell is read line by line, top to bottom (a wrapped label is one label; text written one character per line
too); a cell of rotated text is read in the order the PDF draws it.

A ruled region is only used when its rules are complete enough to be trusted: values standing far apart on
one line of a cell, text of one merged cell falling on both sides of a column line with a gap there, or a
cell holding values on several lines mean rules are missing (only horizontal rules, a frame without inner
lines): the region is then read by the layout method (``unruled.py``).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from ...values import is_value_text
from .paths import Rule
from .settings import PdfSettings
from .text import ASCII_WORD, Char, Page, join

_DIGIT = re.compile(r"\d")


@dataclass(slots=True, eq=False)
class Box:
    """One cell of a ruled table; a merged cell is one Box at every grid position it covers."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    chars: list[Char] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the cell's text lines, in reading order
    anchor: tuple[float, float] | None = None  # display position of its first character...
    anchor_page: int = 0  # ...on this page (a cell cut by a page break may have its text on the later page)

    @property
    def text(self) -> str:
        return join(self.lines)


@dataclass(slots=True, eq=False)
class Piece:
    """A ruled table, or the part of one on one page."""

    page: int
    xs: list[float]  # column lines, left to right
    ys: list[float]  # row lines, top to bottom
    grid: list[list[Box]]  # rows x columns

    @property
    def x0(self) -> float:
        return self.xs[0]

    @property
    def x1(self) -> float:
        return self.xs[-1]

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]

    def holds(self, x: float, y: float) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]


def find_pieces(page: Page, settings: PdfSettings) -> list[Piece]:
    """The usable ruled tables of a page, top to bottom."""
    if not page.rules:
        return []
    hs = _join(_snap([r for r in page.rules if r.horizontal], settings.snap), settings)
    vs = _join(_snap([r for r in page.rules if not r.horizontal], settings.snap), settings)
    pieces = []
    for h_rules, v_rules in _components(hs, vs, settings):
        piece = _piece(page, h_rules, v_rules, settings)
        if piece is not None:
            pieces.append(piece)
    pieces.sort(key=lambda p: p.top)
    return pieces


# -- rules -------------------------------------------------------------------------------------------------


def _snap(rules: list[Rule], tolerance: float) -> list[Rule]:
    """Rules whose positions differ by less than ``tolerance`` (a chain of them) take their mean position."""
    rules = sorted(rules, key=lambda r: r.pos)
    out: list[Rule] = []
    group: list[Rule] = []
    for rule in [*rules, None]:
        if rule is not None and group and rule.pos - group[-1].pos <= tolerance:
            group.append(rule)
            continue
        if group:
            pos = sum(r.pos for r in group) / len(group)
            out.extend(Rule(r.horizontal, pos, r.a, r.b) for r in group)
        group = [rule] if rule is not None else []
    return out


def _join(rules: list[Rule], settings: PdfSettings) -> list[Rule]:
    """Collinear rules that overlap or nearly touch become one."""
    rules = sorted(rules, key=lambda r: (r.pos, r.a))
    out: list[Rule] = []
    for rule in rules:
        last = out[-1] if out else None
        if last is not None and last.pos == rule.pos and rule.a <= last.b + settings.join:
            out[-1] = Rule(last.horizontal, last.pos, last.a, max(last.b, rule.b))
        else:
            out.append(rule)
    return out


def _components(hs: list[Rule], vs: list[Rule], settings: PdfSettings) -> list[tuple[list[Rule], list[Rule]]]:
    """Groups of rules that meet (a horizontal and a vertical rule meet where they cross or touch)."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    t = settings.touch
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.a - t <= v.pos <= h.b + t and v.a - t <= h.pos <= v.b + t:
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 1 and len(g[1]) >= 1]


def _lines_at(positions: list[float], min_gap: float) -> list[float]:
    """Grid line positions: distinct rule positions, a double rule (closer than ``min_gap``) taken once."""
    out: list[float] = []
    for pos in sorted(set(positions)):
        if out and pos - out[-1] < min_gap:
            continue
        out.append(pos)
    return out


def _covers(rules: list[Rule], a: float, b: float, share: float) -> bool:
    need = share * (b - a)
    return any(min(r.b, b) - max(r.a, a) >= need for r in rules)


# -- the grid ----------------------------------------------------------------------------------------------


def _piece(page: Page, h_rules: list[Rule], v_rules: list[Rule], settings: PdfSettings) -> Piece | None:
    xs = _lines_at([v.pos for v in v_rules], settings.min_cell)
    ys = _lines_at([h.pos for h in h_rules], settings.min_cell)
    # a table without side (or top/bottom) borders: its outer edge is where the other rules end
    left, right = min(h.a for h in h_rules), max(h.b for h in h_rules)
    top, bottom = min(v.a for v in v_rules), max(v.b for v in v_rules)
    if left < xs[0] - settings.min_cell:
        xs.insert(0, left)
    if right > xs[-1] + settings.min_cell:
        xs.append(right)
    if top < ys[0] - settings.min_cell:
        ys.insert(0, top)
    if bottom > ys[-1] + settings.min_cell:
        ys.append(bottom)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < settings.min_table_rows or n_cols < settings.min_table_cols:
        return None
    by_x = _index(v_rules, xs, settings.min_cell)
    by_y = _index(h_rules, ys, settings.min_cell)
    # union-find over elementary cells: neighbours with no rule between them are one cell
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n_rows):
        for j in range(n_cols):
            k = i * n_cols + j
            if j + 1 < n_cols and not _covers(by_x[j + 1], ys[i], ys[i + 1], settings.cover):
                parent[find(k + 1)] = find(k)
            if i + 1 < n_rows and not _covers(by_y[i + 1], xs[j], xs[j + 1], settings.cover):
                parent[find(k + n_cols)] = find(k)
    boxes: dict[int, Box] = {}
    spans: dict[int, list[int]] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            spans.setdefault(find(i * n_cols + j), []).append(i * n_cols + j)
    for root, members in spans.items():
        rows = [m // n_cols for m in members]
        cols = [m % n_cols for m in members]
        boxes[root] = Box(page.number, xs[min(cols)], xs[max(cols) + 1], ys[min(rows)], ys[max(rows) + 1])
    grid = [[boxes[find(i * n_cols + j)] for j in range(n_cols)] for i in range(n_rows)]
    for ch in page.glyphs:
        cx, cy = (ch[1] + ch[2]) / 2, (ch[3] + ch[4]) / 2
        if not (xs[0] < cx < xs[-1] and ys[0] < cy < ys[-1]):
            continue
        i = bisect.bisect_right(ys, cy) - 1
        j = bisect.bisect_right(xs, cx) - 1
        grid[i][j].chars.append(ch)
    piece = Piece(page.number, xs, ys, grid)
    seen: set[int] = set()
    for row in grid:
        for box in row:
            if id(box) not in seen:
                seen.add(id(box))
                _read_box(box, settings)
    if not any(box.chars for row in grid for box in row) or not _trusted(piece, settings):
        return None
    return piece


def _index(rules: list[Rule], lines: list[float], min_gap: float) -> list[list[Rule]]:
    """The rules standing on each grid line (a rule of a double rule counts for the line it was merged into)."""
    out: list[list[Rule]] = [[] for _ in lines]
    for rule in rules:
        k = min(range(len(lines)), key=lambda n: abs(lines[n] - rule.pos))
        if abs(lines[k] - rule.pos) < min_gap:
            out[k].append(rule)
    return out


# -- cell text ---------------------------------------------------------------------------------------------


def _read_box(box: Box, settings: PdfSettings) -> None:
    chars = box.chars
    if not chars:
        return
    upright = [c for c in chars if c[6]]
    if len(upright) * 2 < len(chars):
        # rotated text: the order the PDF draws it (one string written along the rotated baseline)
        box.lines = ["".join(c[0] for c in chars)]
        first = chars[0]
        box.anchor = ((first[1] + first[2]) / 2, (first[3] + first[4]) / 2)
        box.anchor_page = box.page
        return
    rows: list[list[Char]] = []
    centre = size = 0.0
    for ch in sorted(chars, key=lambda c: (c[3] + c[4]) / 2):
        cy, h = (ch[3] + ch[4]) / 2, ch[4] - ch[3]
        if rows and abs(cy - centre) <= settings.line_centre * max(h, size):
            rows[-1].append(ch)
            centre += (cy - centre) / len(rows[-1])
            size = max(size, h)
        else:
            rows.append([ch])
            centre, size = cy, h
    lines = []
    for row in rows:
        row.sort(key=lambda c: c[1])
        text = row[0][0]
        for prev, ch in itertools.pairwise(row):
            if ch[0] == prev[0] and abs(ch[1] - prev[1]) < settings.duplicate_shift * max(prev[2] - prev[1], 1.0):
                continue  # the same glyph drawn twice (fake bold, shadow)
            gap = ch[1] - prev[2]
            if (ch[5] or gap > 0.25 * (ch[4] - ch[3])) and ASCII_WORD.match(prev[0]) and ASCII_WORD.match(ch[0]):
                text += " "
            text += ch[0]
        lines.append(text)
    box.lines = lines
    first = rows[0][0]
    box.anchor = ((first[1] + first[2]) / 2, (first[3] + first[4]) / 2)
    box.anchor_page = box.page


def _trusted(piece: Piece, settings: PdfSettings) -> bool:
    """False where the cells show that rules are missing (see the module docstring)."""
    seen: set[int] = set()
    for row in piece.grid:
        for box in row:
            if id(box) in seen or not box.chars:
                continue
            seen.add(id(box))
            if sum(1 for line in box.lines if _DIGIT.search(line) and is_value_text(line.strip())) > 1:
                return False  # values on several lines of one cell: a row rule is missing
            inner = [x for x in piece.xs if box.x0 + 1 < x < box.x1 - 1]
            for line in _char_rows(box, settings):
                for prev, ch in itertools.pairwise(line):
                    gap = ch[1] - prev[2]
                    h = max(ch[4] - ch[3], prev[4] - prev[3])
                    if gap <= 0:
                        continue
                    if gap > settings.wide_gap * h and (_DIGIT.match(prev[0]) or _DIGIT.match(ch[0])):
                        return False  # two values on one line of one cell: a column rule is missing
                    if gap > settings.split_gap * h and any(prev[2] <= x <= ch[1] for x in inner):
                        return False  # text on both sides of a column line, apart: its rule is missing
    return True


def _char_rows(box: Box, settings: PdfSettings) -> list[list[Char]]:
    rows: list[list[Char]] = []
    centre = size = 0.0
    for ch in sorted((c for c in box.chars if c[6]), key=lambda c: (c[3] + c[4]) / 2):
        cy, h = (ch[3] + ch[4]) / 2, ch[4] - ch[3]
        if rows and abs(cy - centre) <= settings.line_centre * max(h, size):
            rows[-1].append(ch)
            centre += (cy - centre) / len(rows[-1])
            size = max(size, h)
        else:
            rows.append([ch])
            centre, size = cy, h
    for row in rows:
        row.sort(key=lambda c: c[1])
    return rows
