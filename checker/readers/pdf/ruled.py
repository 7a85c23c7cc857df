"""Ruled tables: the cells as the page draws them.

The rules of a page (``paths.py``) are snapped (positions closer than ``snap`` become one), joined (collinear
pieces with small gaps become one rule) and grouped into tables: rules that meet belong to one table. The
table's grid lines are the positions of its rules (its outer edges also where only the other direction's rules
end, as in tables without side borders). Two neighbouring grid cells are one cell when no rule separates
them, which gives rowspan and colspan. Each character goes to the cell holding its centre, and the text of a
cell is read line by line, top to bottom (a wrapped label is one label; text written one character per line
too); a cell of rotated text is read in the order the PDF draws it. A number or word the cell's width broke
over two lines (1041 / 5) is joined again when its first line fills the cell.

A ruled region is only used when its rules are complete enough to be trusted: values standing far apart on
one line of a cell, or a cell holding values on several lines, mean rules are missing (only horizontal rules,
a frame without inner lines): the region is then read by the layout method (``unruled.py``). Tables drawn
with horizontal rules only get their column rules from ``bands.py`` first. A header drawn
without vertical rules above a ruled body (its horizontal rules stacked right above the table join it) is
rebuilt from its text: blocks of stacked fragments, each a cell over the body's columns it covers. A page with
more rules than any table (hatching, charts, hostile files) is left to the layout method.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

from ...values import is_value_text
from .bands import implied_tables, section_heading
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


def find_pieces(page: Page, settings: PdfSettings, carry: list[float] | None = None) -> list[Piece]:
    """The usable ruled tables of a page, top to bottom. ``carry``: the column lines of the table the previous
    page ends with (see ``bands.implied_tables``)."""
    if not page.rules:
        return []
    hs = _join(_snap([r for r in page.rules if r.horizontal], settings.snap), settings)
    vs = _join(_snap([r for r in page.rules if not r.horizontal], settings.snap), settings)
    if len(hs) * len(vs) > settings.max_rule_pairs:
        return []  # hatching, a chart or a hostile file, not a table: the layout method reads the page
    groups = _components(hs, vs, settings, page)
    taken = {id(h) for h_rules, _ in groups for h in h_rules}
    groups += implied_tables(page, [h for h in hs if id(h) not in taken], groups, settings, carry)
    pieces = []
    for h_rules, v_rules in groups:
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


def _components(
    hs: list[Rule], vs: list[Rule], settings: PdfSettings, page: Page | None = None
) -> list[tuple[list[Rule], list[Rule]]]:
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
    tables = [g for g in groups.values() if g[0] and g[1]]
    loose = [g[0][0] for g in groups.values() if not g[1] and len(g[0]) == 1]
    for h_rules, _ in tables:
        _stack_rules(h_rules, loose, settings, page)
    return tables


def _stack_rules(h_rules: list[Rule], loose: list[Rule], settings: PdfSettings, page: Page | None = None) -> None:
    """Horizontal rules meeting no vertical rule, within the table's width, stacked right above it (a header
    drawn without vertical rules: each rule at most ``header_reach`` above the last) belong to the table.
    Upward only: below a table comes text, not its header. Taken ones are removed from ``loose``."""
    left, right = min(h.a for h in h_rules), max(h.b for h in h_rules)
    top = min(h.pos for h in h_rules)
    for rule in sorted(loose, key=lambda r: -r.pos):
        if rule.pos >= top or rule.a < left - settings.touch or rule.b > right + settings.touch:
            continue
        if not _header_band(page, rule.pos, top, left, right, settings):
            break
        h_rules.append(rule)
        loose.remove(rule)
        top = rule.pos


def _header_band(page: Page | None, pos: float, top: float, left: float, right: float, settings: PdfSettings) -> bool:
    """Whether the band between a loose rule at ``pos`` and the table below it (its top at ``top``) is part of
    the table's header: at most ``header_reach`` tall, or taller (header cells wrapped over many lines,
    社/会/公/益/组/织) holding words; either way words within the table's width only, no value and no section
    heading (the rules above 四、… are the bottom of the table before)."""
    near = top - pos <= settings.header_reach
    if page is None or top - pos > settings.header_band:
        return near
    between = [ln for ln in page.lines if pos < (ln.top + ln.bottom) / 2 < top]
    return (near or bool(between)) and all(
        left - settings.touch <= ln.x0
        and ln.x1 <= right + settings.touch
        and not any(f.is_number for f in ln.frags)
        and not section_heading(ln)
        for ln in between
    )


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
    xs, ys = _grid_lines(h_rules, v_rules, settings)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < settings.min_table_rows or n_cols < settings.min_table_cols:
        return None
    by_y = _index(h_rules, ys, settings.min_cell)
    grid = _merged_boxes(page.number, xs, ys, _index(v_rules, xs, settings.min_cell), by_y, settings)
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
    if not any(box.chars for row in grid for box in row):
        return None
    fatal, open_boxes = _missing_rules(piece, settings)
    if fatal or (open_boxes and not _reopen_header(piece, open_boxes, by_y, settings)):
        return None
    return piece


def _grid_lines(h_rules: list[Rule], v_rules: list[Rule], settings: PdfSettings) -> tuple[list[float], list[float]]:
    """The grid's column and row lines; a table without side (or top/bottom) borders has its outer edge where
    the other rules end."""
    xs = _lines_at([v.pos for v in v_rules], settings.min_cell)
    ys = _lines_at([h.pos for h in h_rules], settings.min_cell)
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
    return xs, ys


def _merged_boxes(
    page: int,
    xs: list[float],
    ys: list[float],
    by_x: list[list[Rule]],
    by_y: list[list[Rule]],
    settings: PdfSettings,
) -> list[list[Box]]:
    """The grid of boxes: neighbouring elementary cells with no rule between them are one (merged) box, the
    same object at each of its positions (union-find over the elementary cells)."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
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
    spans: dict[int, list[int]] = {}
    for k in range(n_rows * n_cols):
        spans.setdefault(find(k), []).append(k)
    boxes: dict[int, Box] = {}
    for root, members in spans.items():
        rows = [m // n_cols for m in members]
        cols = [m % n_cols for m in members]
        boxes[root] = Box(page, xs[min(cols)], xs[max(cols) + 1], ys[min(rows)], ys[max(rows) + 1])
    return [[boxes[find(i * n_cols + j)] for j in range(n_cols)] for i in range(n_rows)]


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
    rows = char_rows(chars, settings)
    lines: list[str] = []
    inner = box.x1 - box.x0 - 2 * settings.cell_padding
    for k, row in enumerate(rows):
        text = row[0][0]
        for prev, ch in itertools.pairwise(row):
            if ch[0] == prev[0] and abs(ch[1] - prev[1]) < settings.duplicate_shift * max(prev[2] - prev[1], 1.0):
                continue  # the same glyph drawn twice (fake bold, shadow)
            gap = ch[1] - prev[2]
            if (
                (ch[5] or gap > settings.word_gap * (ch[4] - ch[3]))
                and ASCII_WORD.match(prev[0])
                and ASCII_WORD.match(ch[0])
            ):
                text += " "
            text += ch[0]
        if k and broken_word(rows[k - 1], row[0], inner):
            lines[-1] += text  # a number (or word) the cell's width broke: 1041 / 5 is 10415
        else:
            lines.append(text)
    box.lines = lines
    first = rows[0][0]
    box.anchor = ((first[1] + first[2]) / 2, (first[3] + first[4]) / 2)
    box.anchor_page = box.page


def broken_word(line: list[Char], next_first: Char, inner: float) -> bool:
    """The line ends inside a word the cell's width broke: it ends with a letter or digit, the next line starts
    with one, and the next character would not have fit on the line (it fills the cell)."""
    last = line[-1]
    if not (ASCII_WORD.match(last[0]) and ASCII_WORD.match(next_first[0])):
        return False
    return (last[2] - line[0][1]) + (next_first[2] - next_first[1]) > inner


def _missing_rules(piece: Piece, settings: PdfSettings) -> tuple[bool, list[Box]]:
    """Where the cells show that rules are missing: (True, …) when values would be read wrong (values on
    several lines of one cell, two values on one line), else the cells whose text stands on both sides of a
    column line with a gap there (a header drawn without vertical rules)."""
    seen: set[int] = set()
    open_boxes: list[Box] = []
    for row in piece.grid:
        for box in row:
            if id(box) in seen or not box.chars:
                continue
            seen.add(id(box))
            if sum(1 for line in box.lines if _DIGIT.search(line) and is_value_text(line.strip())) > 1:
                return True, []  # values on several lines of one cell: a row rule is missing
            inner = [x for x in piece.xs if box.x0 + 1 < x < box.x1 - 1]
            split = False
            for line in char_rows(box.chars, settings, upright_only=True):
                for prev, ch in itertools.pairwise(line):
                    gap = ch[1] - prev[2]
                    h = max(ch[4] - ch[3], prev[4] - prev[3])
                    if gap <= 0:
                        continue
                    if gap > settings.wide_gap * h and (_DIGIT.match(prev[0]) or _DIGIT.match(ch[0])):
                        return True, []  # two values on one line of one cell: a column rule is missing
                    split = split or (gap > settings.split_gap * h and any(prev[2] <= x <= ch[1] for x in inner))
            if split:
                open_boxes.append(box)
    return False, open_boxes


def _reopen_header(piece: Piece, boxes: list[Box], by_y: list[list[Rule]], settings: PdfSettings) -> bool:
    """A header drawn without vertical rules, read as the layout method reads one: the text of the open cells
    forms blocks (fragments stacked over each other, a wrapped 结果/维持 is one block, never across a rule),
    and each block becomes a cell over the columns whose middle it covers. Only above the first value: False
    where an open cell reaches the rows of values (the region is then read by the layout method)."""
    grid, xs, ys = piece.grid, piece.xs, piece.ys
    first_value = next(
        (i for i, row in enumerate(grid) if any(_DIGIT.search(b.text) and is_value_text(b.text) for b in row)),
        len(grid),
    )
    if first_value == 0 or any(box.bottom > ys[first_value] + settings.same_edge for box in boxes):
        return False
    ids = {id(b) for b in boxes}
    places = [(i, j) for i in range(first_value) for j in range(len(xs) - 1) if id(grid[i][j]) in ids]
    for i, j in places:
        grid[i][j] = Box(piece.page, xs[j], xs[j + 1], ys[i], ys[i + 1])
    free = set(places)
    for block in _blocks([c for b in boxes for c in b.chars], ys, by_y, settings):
        x0, x1 = min(c[1] for c in block), max(c[2] for c in block)
        top, bottom = min(c[3] for c in block), max(c[4] for c in block)
        cols = [j for j in range(len(xs) - 1) if x0 <= (xs[j] + xs[j + 1]) / 2 <= x1]
        if not cols:
            cols = [min(max(bisect.bisect_right(xs, (x0 + x1) / 2) - 1, 0), len(xs) - 2)]
        rows = [i for i in range(first_value) if top < ys[i + 1] and bottom > ys[i]]
        cells = [(i, j) for i in rows for j in cols if (i, j) in free]
        if not cells:
            return False  # two blocks over one cell: the header cannot be laid out
        box = Box(piece.page, xs[cols[0]], xs[cols[-1] + 1], ys[rows[0]], ys[rows[-1] + 1], chars=block)
        _read_box(box, settings)
        for i, j in cells:
            grid[i][j] = box
            free.discard((i, j))
    return True


def _blocks(chars: list[Char], ys: list[float], by_y: list[list[Rule]], settings: PdfSettings) -> list[list[Char]]:
    """Fragments (runs of characters on one line, split at wide gaps) stacked into blocks: a fragment joins the
    block above it when they overlap in x, stand close (a line apart) and no rule runs between them."""
    frags: list[list[Char]] = []
    for line in char_rows(chars, settings):
        run = [line[0]]
        for prev, ch in itertools.pairwise(line):
            if ch[1] - prev[2] > settings.split_gap * max(ch[4] - ch[3], prev[4] - prev[3]):
                frags.append(run)
                run = []
            run.append(ch)
        frags.append(run)
    blocks: list[list[Char]] = []
    lasts: list[list[Char]] = []  # the lowest fragment of each block
    for frag in sorted(frags, key=lambda f: min(c[3] for c in f)):
        x0, x1 = min(c[1] for c in frag), max(c[2] for c in frag)
        top, h = min(c[3] for c in frag), max(c[4] - c[3] for c in frag)
        target = None
        for k in range(len(blocks) - 1, -1, -1):
            last = lasts[k]
            lx0, lx1, lbottom = min(c[1] for c in last), max(c[2] for c in last), max(c[4] for c in last)
            if min(x1, lx1) - max(x0, lx0) < settings.stack_overlap * min(x1 - x0, lx1 - lx0):
                continue
            ruled = any(lbottom <= y <= top and _covers(by_y[n], max(x0, lx0), min(x1, lx1), settings.cover)
                        for n, y in enumerate(ys))  # fmt: skip
            if not ruled and top - lbottom <= settings.stack_reach * h:
                target = k
            break
        if target is None:
            blocks.append(list(frag))
            lasts.append(frag)
        else:
            blocks[target].extend(frag)
            lasts[target] = frag
    return blocks


def char_rows(chars: list[Char], settings: PdfSettings, upright_only: bool = False) -> list[list[Char]]:
    """Characters grouped into lines (by vertical centre), each line left to right."""
    rows: list[list[Char]] = []
    centre = size = 0.0
    for ch in sorted((c for c in chars if c[6] or not upright_only), key=lambda c: (c[3] + c[4]) / 2):
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
