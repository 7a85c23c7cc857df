"""Tables drawn with horizontal rules only: the vertical rules the drawing leaves out, put back from the text.

Office suites export many tables with row borders and no column borders. The horizontal rules still say
where each row starts and ends, whatever its label wraps over (six lines of 1.属/于国/家秘/密 inside one band
are one label), and where a merged label cell ends (a row's border starts right of a label cell that spans
several rows). The columns come from the values: numbers are centred in their cells, so the middle between
the centres of two neighbouring value columns is the rule between them (a column blank in every row is put
back where the column pitch leaves room for it). Label sub-columns start where rules start.

The rules made here go only through the body's bands (from the first band holding a value on), and only where
no character of that band stands on them; the table's two outer edges run from its top to its bottom so the
header's rules stay with the table. The header, left without inner rules, is then rebuilt from its text by
the ruled reader (``ruled._reopen_header``), and the whole region is read, stitched across pages and checked
for missing rules by ``ruled.py`` exactly as a fully ruled table: a row broken across a page break is one row.
Where the result does not hold (values on several lines of one cell), the region goes to the layout method.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections.abc import Callable
from typing import TypeVar

from ...normalize import fold
from .paths import Rule
from .settings import PdfSettings
from .text import Frag, Line, Page
from .unruled import CAPTION

Group = tuple[list[Rule], list[Rule]]
T = TypeVar("T")


def implied_tables(
    page: Page, loose: list[Rule], ruled: list[Group], settings: PdfSettings, carry: list[float] | None = None
) -> list[Group]:
    """(horizontal rules, vertical rules) of each table the page draws with horizontal rules only, the vertical
    ones implied by the text. ``loose``: the horizontal rules that meet no vertical rule; ``ruled``: the page's
    ruled tables. A stack right under a ruled table is that table's body (a boxed header over a body without
    column rules): the layout method reads such a table whole. ``carry``: the column lines of the table the
    previous page ends with, for the rest of a row cut by the page break (no value to place columns by)."""
    if len(loose) < 2:
        return []
    frags = [f for line in page.lines for f in line.frags]
    out: list[Group] = []
    for stack in _stacks(loose, settings):
        for group in _tables(stack, frags, page, settings, carry):  # a stack cut at a section heading: each part
            rules = group[0]
            top, a, b = min(r.pos for r in rules), min(r.a for r in rules), max(r.b for r in rules)
            if not any(
                _right_under(page, top, max(h.pos for h in hs), settings)
                and min(b, max(h.b for h in hs)) > max(a, min(h.a for h in hs))
                for hs, _ in ruled
            ):
                out.append(group)
    return out


def _right_under(page: Page, top: float, bottom: float, settings: PdfSettings) -> bool:
    """A stack of rules starting at ``top`` goes on from a ruled table ending at ``bottom``: close under it, or
    with nothing between them but a row holding values (its label wrapped over many lines, the row taller
    than the reach)."""
    if top < bottom:
        return False
    if top - bottom <= settings.header_reach:
        return True
    between = [ln for ln in page.lines if bottom < (ln.top + ln.bottom) / 2 < top]
    return any(f.is_number for ln in between for f in ln.frags) and not any(section_heading(ln) for ln in between)


def _stacks(rules: list[Rule], settings: PdfSettings) -> list[list[Rule]]:
    """Rules one under the other over the same width, no band taller than ``band_reach``."""
    stacks: list[list[Rule]] = []
    for rule in sorted(rules, key=lambda r: r.pos):
        last = stacks[-1] if stacks else None
        if last is not None:
            a, b = min(r.a for r in last), max(r.b for r in last)
            shared = min(b, rule.b) - max(a, rule.a)
            if rule.pos - last[-1].pos <= settings.band_reach and shared >= 0.5 * min(b - a, rule.b - rule.a):
                last.append(rule)
                continue
        stacks.append([rule])
    # hatching or a chart drawn with thousands of lines is not a table
    return [s for s in stacks if 2 <= len({round(r.pos) for r in s}) <= settings.max_bands]


def _levels(rules: list[Rule], settings: PdfSettings) -> list[float]:
    out: list[float] = []
    for pos in sorted(r.pos for r in rules):
        if not out or pos - out[-1] >= settings.min_cell:
            out.append(pos)
    return out


def _centres(numbers: list[Frag]) -> list[float]:
    """Value columns: number fragments whose x-ranges overlap are one column; its centre, their mean centre."""
    groups: list[list[Frag]] = []
    for f in sorted(numbers, key=lambda f: f.x0):
        if groups and f.x0 <= max(g.x1 for g in groups[-1]):
            groups[-1].append(f)
        else:
            groups.append([f])
    return [statistics.fmean(f.cx for f in g) for g in groups]


def _tables(
    rules: list[Rule], frags: list[Frag], page: Page, settings: PdfSettings, carry: list[float] | None = None
) -> list[Group]:
    ys = _levels(rules, settings)
    left, right = min(r.a for r in rules), max(r.b for r in rules)
    inside = [f for f in frags if left <= f.cx <= right and ys[0] < f.cy < ys[-1]]
    bands = _bucket(inside, ys, lambda f: f.cy)
    lines = _bucket(page.lines, ys, lambda ln: (ln.top + ln.bottom) / 2)
    # a section heading between two tables drawn alike: two tables, the heading's band in neither
    for i in range(len(ys) - 1):
        if any(section_heading(line) for line in lines[i]):
            out = []
            for part in (
                [r for r in rules if r.pos <= ys[i] + settings.snap],
                [r for r in rules if r.pos >= ys[i + 1] - settings.snap],
            ):
                if len(_levels(part, settings)) >= 2:
                    out.extend(_tables(part, frags, page, settings, carry))
            return out
    # 主动公开: each 第二十条 block (from its caption on) has columns of its own
    cuts = [i for i, band in enumerate(bands) if any(CAPTION.match(fold(f.text)) for f in band)]
    blocks = [range(a, b) for a, b in zip([0, *cuts], [*cuts, len(bands)], strict=False) if b > a]
    left, right = min(r.a for r in rules), max(r.b for r in rules)
    glyphs = _bucket([g for g in page.glyphs if left <= (g[1] + g[2]) / 2 <= right], ys, lambda g: (g[3] + g[4]) / 2)
    out = [Rule(False, left, ys[0], ys[-1]), Rule(False, right, ys[0], ys[-1])]
    found = False
    # a table going on from the previous page keeps its label columns where no rule starts on this page
    inherited = carry if carry and _page_top(page, ys[0]) else []
    for block in blocks:
        columns = _block_columns(block, bands, rules, left, right, settings, inherited)
        if columns is None:
            continue
        found = True
        xs, header = columns
        for i in block:
            if i in header:
                continue
            for x in xs:
                if not any(g[1] - settings.rule_clearance < x < g[2] + settings.rule_clearance for g in glyphs[i]):
                    out.append(Rule(False, x, ys[i], ys[i + 1]))
    if not found and carry and _page_top(page, ys[0]):
        # a row's last lines at the top of a page, its values on the page before: that table's columns
        out.extend(
            Rule(False, x, ys[0], ys[-1]) for x in carry if left + settings.min_cell < x < right - settings.min_cell
        )
        found = True
    return [(rules, out)] if found else []


def _bucket(items: list[T], ys: list[float], centre: Callable[[T], float]) -> list[list[T]]:
    """The items whose centre stands strictly inside each band between consecutive ``ys``."""
    out: list[list[T]] = [[] for _ in ys[:-1]]
    for item in items:
        y = centre(item)
        i = bisect.bisect_left(ys, y) - 1
        if 0 <= i < len(out) and ys[i] < y < ys[i + 1]:
            out[i].append(item)
    return out


def _page_top(page: Page, top: float) -> bool:
    """Nothing above ``top`` on the page but one short line (续表)."""
    above = [ln for ln in page.lines if ln.bottom <= top]
    return len(above) <= 1 and all(len(ln.compact) <= 6 for ln in above)


def _block_columns(
    block: range,
    bands: list[list[Frag]],
    rules: list[Rule],
    left: float,
    right: float,
    settings: PdfSettings,
    inherited: list[float],
) -> tuple[list[float], set[int]] | None:
    """The column rules of a block of bands, and which of its bands are the header (no rules implied there)."""
    numbered = [i for i in block if any(f.is_number for f in bands[i])]
    if not numbered:
        return None
    kept = _kept_columns(block, bands, rules, left, right, settings, inherited)
    if kept is not None:
        return kept
    centres = _centres([f for i in block for f in bands[i] if f.is_number])
    if len(centres) < 2:
        return None
    # the column pitch: the common distance between neighbouring columns (a blank column makes a double one)
    steps = [b - a for a, b in itertools.pairwise(centres)]
    pitch = statistics.median(d for d in steps if d <= 1.5 * min(steps))
    first = numbered[0]
    centres = _fill(centres, pitch)
    body = range(first, block.stop)
    label_right = max((f.x1 for i in body for f in bands[i] if f.cx < centres[0] - pitch / 2), default=left)
    # where the values begin: a rule starting between the labels and the first values (under a header cell
    # over the values only, 申请人情况) says so; else the labels' right edge
    cap = centres[0] - pitch / 2 + settings.snap
    edges = [r.a for r in rules if max(label_right, left + settings.min_cell) < r.a <= cap]
    edge = max(edges, default=max(label_right, left))
    while centres[0] - 1.5 * pitch >= edge - settings.snap:
        centres.insert(0, centres[0] - pitch)  # a first value column blank in every row
    while centres[-1] + 1.5 * pitch <= right + settings.snap:
        centres.append(centres[-1] + pitch)  # a last one
    boundary = centres[0] - pitch / 2
    xs = [(a + b) / 2 for a, b in itertools.pairwise(centres)]
    if boundary - left >= settings.min_cell:
        xs.append(boundary)
        starts = sorted(
            {
                round(a, 1)
                for a in [r.a for r in rules] + inherited
                if left + settings.min_cell < a < boundary - settings.min_cell
            }
        )
        xs.extend(_levels([Rule(False, a, 0, 0) for a in starts], settings))
    # before the first values, bands with text over the values are the header; the others (a label's last
    # lines at the top of a page, its values on the page before) are body
    header = {i for i in range(block.start, first) if any(f.x1 > boundary for f in bands[i])}
    return xs, header


def section_heading(line: Line) -> bool:
    """A section heading of the template (一、总体情况 …), not a row or group label of table 三."""
    from ...labels import vocabulary

    vocab = vocabulary()
    found = vocab.match_section(line.text, standalone=True)
    if found is None or found[1] or not found[0].numbering:
        return False
    term = vocab.match(line.text)
    return term is None or term.term.kind not in ("APP_ROW", "APP_GROUP")


def _kept_columns(
    block: range,
    bands: list[list[Frag]],
    rules: list[Rule],
    left: float,
    right: float,
    settings: PdfSettings,
    inherited: list[float],
) -> tuple[list[float], set[int]] | None:
    """The columns of the table the previous page ends with, where this part goes on with it: a few rows (one
    row of values alone on a page, blank cells at its ends) do not show where the columns are, that table's
    many rows did. They are kept only where they fit: no value stands on one of its column lines, and no two
    values of one band share a column (else the part is another table and gets columns of its own)."""
    lines = sorted(x for x in inherited if left + settings.min_cell < x < right - settings.min_cell)
    if not lines:
        return None
    first = None
    for i in block:
        used: set[int] = set()
        for f in bands[i]:
            if not f.is_number:
                continue
            if any(f.x0 - settings.rule_clearance < x < f.x1 + settings.rule_clearance for x in lines):
                return None
            column = bisect.bisect_left(lines, f.cx)
            if column in used:
                return None
            used.add(column)
            first = i if first is None else first
    if first is None:
        return None
    start = min(f.x0 for i in block for f in bands[i] if f.is_number)
    boundary = max((x for x in lines if x < start), default=left)
    # label sub-columns: where this page's rules start (a group label the page before did not show)
    starts = [r.a for r in rules if left + settings.min_cell < r.a < boundary - settings.min_cell]
    lines = sorted(lines + [x for x in _levels([Rule(False, a, 0, 0) for a in starts], settings)
                            if all(abs(x - y) >= settings.min_cell for y in lines)])  # fmt: skip
    return lines, {i for i in range(block.start, first) if any(f.x1 > boundary for f in bands[i])}


def _fill(centres: list[float], pitch: float) -> list[float]:
    """Columns blank in every row between two found ones: a gap of k pitches holds k - 1 of them."""
    out = [centres[0]]
    for c in centres[1:]:
        k = round((c - out[-1]) / pitch) if pitch > 0 else 1
        if k >= 2 and abs(c - out[-1] - k * pitch) <= 0.25 * pitch:
            step = (c - out[-1]) / k
            out.extend(out[-1] + step * n for n in range(1, k))
        out.append(c)
    return out
