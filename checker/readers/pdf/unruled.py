"""Tables without (usable) ruling lines, rebuilt from text positions alone (the layout method).

Used where a table region has no rules, or only some (only horizontal rules, a frame without inner lines):

* the *value columns* are the x-ranges of the numbers (for 主动公开 blocks: of the header cells, since a
  single value cell spans three grid columns there). A column left blank in every row is recovered from
  the header text above it. Every value goes to the column its centre falls in, so a blank cell is ``""``
  and never shifts its neighbours.
* the *rows* are the lines holding values (or a full row label of the template). A label line without
  values (a label wrapped over several lines, the values centred beside it) joins the row above or below,
  whichever label it stands closer to: lines of one cell are closer than lines of two rows.
* *group labels* left of the row labels (三、本年度办理结果 written one character per line, （三）不予公开
  wrapped as ``（三）不`` / ``予公开``, even across a page break) are joined into one cell and emitted as a
  row of their own before the row where they begin.
* the *header* is rebuilt per value column: the fragments above a column are joined top to bottom
  (``结果`` / ``维持`` → ``结果维持``); a fragment over several columns (法人或其他组织, 未经复议直接起诉) is a
  cell of its own. Header cells are emitted in reading order in one row.

A table continued on later pages is placed right below the part before (a "virtual" y) and a header repeated
at the top of a later page is dropped, so the table becomes one block.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ... import layout
from ...model import Block, Cell, Source
from ...normalize import NUMBERING, fold
from .settings import DEFAULT, PdfSettings
from .text import SPACES, Frag, Line, join

ROW_KINDS = frozenset({"ACTIVE_ROW", "APP_ROW"})
# value columns of the tables read here (a column blank in every row is recovered up to this count)
_VALUE_COLUMNS = {"app": len(layout.APP_COLUMNS), "review": len(layout.REVIEW_ROWS) * len(layout.REVIEW_COLUMNS)}
CAPTION = re.compile(r"^第二十条第?\([一二三四五六七八九十]+\)项")


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


@dataclass(slots=True)
class _Column:
    x0: float
    x1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class _Row:
    lines: list[Line]
    values: list[Frag] = field(default_factory=list)
    labels: list[Frag] = field(default_factory=list)  # label-area fragments on the row's own lines
    extra: list[Frag] = field(default_factory=list)  # label-area fragments of lines without values
    numeric: bool = False

    @property
    def cy(self) -> float:
        frags = self.values or self.labels
        return statistics.fmean(f.cy for f in frags) if frags else self.lines[0].top

    @property
    def vtop(self) -> float:
        """Top of the row's values (of its own lines when it has none), in table coordinates."""
        return min(f.top for f in self.values) if self.values else self.top

    @property
    def vbottom(self) -> float:
        return max(f.bottom for f in self.values) if self.values else self.bottom

    @property
    def top(self) -> float:
        return min(ln.top + ln.offset for ln in self.lines)

    @property
    def bottom(self) -> float:
        return max(ln.bottom + ln.offset for ln in self.lines)


class TableBuilder:
    def __init__(self, kind: str, lines: list[Line], number: int, vocab, settings: PdfSettings = DEFAULT) -> None:
        self.settings = settings
        self.kind = kind
        self.lines = lines
        self.number = number
        self.vocab = vocab
        self.rows: list[list[Cell]] = []

    def build(self) -> Block:
        lines = self._stitch_pages(self.lines)
        if self.kind == "active":
            for part in _split_blocks(lines):
                caption = part[0] if CAPTION.match(fold(part[0].compact)) else None
                if caption is not None:
                    self._emit_row([(caption.compact, caption, None)])
                    part = part[1:]
                if part:
                    _Grid(self, part, header_columns=True).emit()
        else:
            _Grid(self, lines, header_columns=False).emit()
        first = self.lines[0]
        return Block("table", "", Source(page=first.page, line=first.no, table=self.number), self.rows)

    def _stitch_pages(self, lines: list[Line]) -> list[Line]:
        """Place each page's part right below the previous part; drop a header repeated on a later page."""
        out: list[Line] = []
        header: set[str] = set()
        seen_data = False
        offset = 0.0
        gap = statistics.median(ln.height for ln in lines) if lines else 0.0
        repeating = new_page = False
        for i, line in enumerate(lines):
            if i and line.page != lines[i - 1].page:
                repeating = seen_data and self._header_repeated(lines, i, header)
                new_page = True
            if repeating:
                if self._repeats(line, header):
                    continue  # a header repeated at the top of the new page
                repeating = False
            if new_page:
                bottom = max(ln.bottom + ln.offset for ln in out) if out else 0.0
                offset = bottom + gap - line.top
                new_page = False
            line.offset = offset
            if CAPTION.match(fold(line.compact)):
                seen_data = False
            if any(f.is_number for f in line.frags) or self._row_label(line):
                seen_data = True
            elif not seen_data:
                header.update(SPACES.sub("", f.text) for f in line.frags)
            out.append(line)
        return out

    def _header_repeated(self, lines: list[Line], start: int, header: set[str]) -> bool:
        """The lines at the top of a page made of the header's words are the header repeated when they hold a
        good share of its text; one short line of them (申请, the end of a label cut by the page break, its
        words also in 申请人情况) is the rest of a row."""
        run = 0
        for line in lines[start:]:
            if line.page != lines[start].page or not self._repeats(line, header):
                break
            run += len(line.compact)
        return run >= self.settings.repeat_share * sum(len(t) for t in header)

    def _repeats(self, line: Line, header: set[str]) -> bool:
        """Every fragment of the line was seen in the table's header (perhaps broken differently)."""
        if any(f.is_number for f in line.frags) or self._row_label(line):
            return False
        chars = set("".join(header))
        texts = [SPACES.sub("", f.text) for f in line.frags]
        return bool(texts) and all(t in header or (len(t) > 1 and set(t) <= chars) for t in texts)

    def _row_label(self, line: Line) -> bool:
        """The line starts with a full row label of the template (its values may follow)."""
        parts = []
        for f in line.frags:
            if f.is_number:
                break
            parts.append(f.text)
        match = self.vocab.match("".join(parts)) if parts else None
        return match is not None and match.term.kind in ROW_KINDS

    def _emit_row(self, cells: list[tuple[str, Line, int | None]]) -> None:
        row_no = len(self.rows) + 1
        row = []
        for k, (text, line, col) in enumerate(cells, 1):
            source = Source(page=line.page, line=line.no, table=self.number, row=row_no, col=col or k)
            row.append(Cell(text, source))
        if row:
            self.rows.append(row)


def _split_blocks(lines: list[Line]) -> list[list[Line]]:
    parts: list[list[Line]] = []
    for line in lines:
        if CAPTION.match(fold(line.compact)) or not parts:
            parts.append([])
        parts[-1].append(line)
    return parts


def _vfrag(f: Frag) -> Frag:
    """A fragment in the table's virtual coordinates (pages stacked)."""
    assert f.line is not None
    off = f.line.offset
    return Frag(f.text, f.x0, f.x1, f.top + off, f.bottom + off, f.line)


class _Grid:
    """One table (or one 第二十条 block): header cells, value columns, rows with their labels."""

    def __init__(self, builder: TableBuilder, lines: list[Line], header_columns: bool) -> None:
        self.b = builder
        self.s = builder.settings
        self.lines = lines
        self.frags = {id(ln): [_vfrag(f) for f in ln.frags] for ln in lines}
        self.header_columns = header_columns
        self.rl: float | None = None  # left edge of the row-label column (see _row_label_left)

    # the first line holding a value or a full row label ends the header
    def _header_end(self) -> int:
        for i, line in enumerate(self.lines):
            if any(f.is_number for f in line.frags) or self.b._row_label(line):
                return i
        return len(self.lines)

    def emit(self) -> None:
        end = self._header_end()
        header = [f for ln in self.lines[:end] for f in self.frags[id(ln)]]
        body = self.lines[end:]
        columns = self._columns(header, body)
        boundary = columns[0].x0 - 1.0 if columns else float("inf")
        # the first row's label wrapped above its values: numbered label lines ending the header are body
        while end and all(f.cx < boundary for f in self.frags[id(self.lines[end - 1])]):
            if not NUMBERING.match(fold(self.lines[end - 1].compact)):
                break
            end -= 1
        header = [f for ln in self.lines[:end] for f in self.frags[id(ln)]]
        body = self.lines[end:]
        label_area = [f for ln in body for f in self.frags[id(ln)] if f.cx < boundary]
        starts = _column_starts(_coalesce(label_area, [], self.s), self.s)
        for ln in body:
            frags = self.frags[id(ln)]
            labels = _coalesce([f for f in frags if f.cx < boundary], starts, self.s)
            self.frags[id(ln)] = labels + [f for f in frags if f.cx >= boundary]
        rows = self._rows(body, columns, boundary)
        has_label = any(r.labels or r.extra for r in rows) or any(f.cx < boundary for f in header)
        self._emit_header(header, columns, boundary, has_label)
        self._emit_rows(rows, columns, boundary, has_label)

    # -- columns --

    def _columns(self, header: list[Frag], body: list[Line]) -> list[_Column]:
        numbers = [f for ln in body for f in self.frags[id(ln)] if f.is_number]
        if self.header_columns:
            columns = self._header_columns(_coalesce(header, [], self.s))
            if columns:
                for f in numbers:
                    # a number right of every header cell: a column whose header is missing
                    if f.cx > columns[-1].x1 and not any(overlap(c.x0, c.x1, f.x0, f.x1) for c in columns):
                        columns.append(_Column(f.x0, f.x1))
                return _merge_columns(columns, self.s)
        columns = _merge_columns([_Column(f.x0, f.x1) for f in numbers], self.s)
        return self._fill_columns(columns, header)

    def _header_columns(self, header: list[Frag]) -> list[_Column]:
        """主动公开 blocks: the header cells right of 信息内容 are the value columns."""
        if not header:
            return []
        info = [f for f in header if "信息内容" in SPACES.sub("", f.text)]
        left = info[0].x1 if info else min(f.x0 for f in header) + 1
        cells = [f for f in header if f.x0 >= left - 1 and f not in info]
        if not info and cells:
            first = min(cells, key=lambda f: f.x0)
            cells = [f for f in cells if f.x0 > first.x1]
        return _merge_columns([_Column(f.x0, f.x1) for f in cells], self.s)

    def _fill_columns(self, columns: list[_Column], header: list[Frag]) -> list[_Column]:
        """A column blank in every row has no numbers: recover it from a header cell over the gap."""
        expected = _VALUE_COLUMNS.get(self.b.kind)
        if not columns or expected is None or len(columns) >= expected:
            return columns
        centres = [c.cx for c in columns]
        pitch = _pitch(centres)
        if pitch <= 0:
            return columns
        narrow = [f for f in header if f.w <= self.s.fill_narrow * pitch]
        added: list[_Column] = []
        for f in narrow:
            near = min(abs(f.cx - c) for c in centres)
            if near < self.s.fill_near * pitch:
                continue
            inside = centres[0] - pitch * (expected - len(columns)) - self.s.fill_margin * pitch < f.cx
            inside = inside and f.cx < centres[-1] + pitch * (expected - len(columns)) + self.s.fill_margin * pitch
            if inside and all(overlap(a.x0, a.x1, f.x0, f.x1) == 0 for a in added):
                added.append(_Column(f.cx - 1, f.cx + 1))
        if not added:
            return columns
        merged = sorted(columns + added, key=lambda c: c.cx)
        return merged if len(merged) <= expected else columns

    # -- rows --

    def _rows(self, body: list[Line], columns: list[_Column], boundary: float) -> list[_Row]:
        rows: list[_Row] = []
        widest = _widest_numbers(body, self.frags, columns, self.s)
        for line in body:
            frags = self.frags[id(line)]
            values = [f for f in frags if f.cx >= boundary]
            labels = [f for f in frags if f.cx < boundary]
            if rows and self._wrapped_numbers(rows[-1], values, labels, widest, columns):
                rows[-1].labels += labels
                rows[-1].lines.append(line)
                continue
            if values:
                row = _Row([line], values, labels, numeric=True)
                if rows and rows[-1].numeric is False and _same_band(rows[-1], row, self.s):
                    row.labels = rows[-1].labels + row.labels
                    row.lines = rows[-1].lines + row.lines
                    rows[-1] = row
                elif rows and not _shares_column(rows[-1], row, columns, self.s) and _same_band(rows[-1], row, self.s):
                    rows[-1].values += values
                    rows[-1].labels += labels
                    rows[-1].lines.append(line)
                else:
                    rows.append(row)
            else:
                rows.append(_Row([line], [], labels, numeric=False))
        numeric_rows = [r for r in rows if r.numeric]
        rl = _row_label_left(numeric_rows, self.s)
        anchors: list[_Row] = []
        orphans: list[Frag] = []
        for row in rows:
            if row.numeric or (self._full_label(row, rl) and not (anchors and _same_band(anchors[-1], row, self.s))):
                anchors.append(row)
            elif anchors and _same_band(anchors[-1], row, self.s) and anchors[-1].numeric:
                anchors[-1].labels += row.labels
                anchors[-1].lines += row.lines
            else:
                orphans.extend(row.labels)
        if not anchors:
            anchors = [r for r in rows if r.labels]
            return anchors
        _assign_orphans(anchors, orphans)
        self.rl = rl
        return self._join_wrapped_labels(anchors)

    def _wrapped_numbers(
        self, row: _Row, values: list[Frag], labels: list[Frag], widest: list[float], columns: list[_Column]
    ) -> bool:
        """A line of digits continuing the numbers of ``row`` (see _continues), beside no label or only the run-on
        of the label above (no row label, no numbering): joined to those numbers."""
        if not values or not row.numeric:
            return False
        text = "".join(SPACES.sub("", f.text) for f in labels)
        if text:
            if NUMBERING.match(fold(text)):
                return False
            match = self.b.vocab.match(text)
            if match is not None and match.term.kind in ROW_KINDS:
                return False
        return _continues(row, values, widest, columns, self.s)

    def _join_wrapped_labels(self, rows: list[_Row]) -> list[_Row]:
        """A label's first lines that are a shorter wording of it ((二)部分公开 over (区分处理的，…), its values
        centred on a later line) are not a row of their own: joined to the row below when the two together are
        the template's label exactly and the lower part alone is no label."""
        out: list[_Row] = []
        for row in rows:
            prev = out[-1] if out else None
            if prev is not None and not prev.numeric and row.numeric and self._wraps_into(prev, row):
                row.labels = prev.labels + row.labels
                row.extra = prev.extra + row.extra
                row.lines = prev.lines + row.lines
                out[-1] = row
            else:
                out.append(row)
        return out

    def _wraps_into(self, upper: _Row, lower: _Row) -> bool:
        top = _reading_order(_split_group(upper.labels + upper.extra, self.rl, self.s)[0])
        rest = _reading_order(_split_group(lower.labels + lower.extra, self.rl, self.s)[0])
        if not top or not rest:
            return False
        vocab = self.b.vocab
        whole = vocab.match("".join(SPACES.sub("", f.text) for f in top + rest))
        if whole is None or not whole.exact or whole.term.kind not in ROW_KINDS:
            return False
        alone = vocab.match("".join(SPACES.sub("", f.text) for f in rest))
        return alone is None or alone.term.kind not in ROW_KINDS

    def _full_label(self, row: _Row, rl: float | None) -> bool:
        text = "".join(SPACES.sub("", f.text) for f in row.labels)
        match = self.b.vocab.match(text) if text else None
        if match is None or match.term.kind not in ROW_KINDS:
            return False
        return rl is None or max(f.x1 for f in row.labels) > rl + self.s.label_edge

    # -- emitting --

    def _emit_header(self, header: list[Frag], columns: list[_Column], boundary: float, has_label: bool) -> None:
        if not header:
            return
        cells: list[tuple[float, float, str, Line, int | None]] = []
        label_frags = _merge_on_lines([f for f in header if f.cx < boundary])
        for stack in _stacks(label_frags, True, self.s):
            first = stack[0]
            cells.append((first.top, first.x0, _stack_text(stack), first.line, 1 if has_label else None))
        stacked: dict[int, list[Frag]] = {}
        spanning: list[Frag] = []
        for f in header:
            if f.cx < boundary:
                continue
            col = _column_of(f, columns, self.s)
            if col is None:
                spanning.append(f)
            else:
                stacked.setdefault(col, []).append(f)
        for col, frags in stacked.items():
            frags.sort(key=lambda f: (f.top, f.x0))
            first = frags[0]
            cells.append((first.top, first.x0, _stack_text(frags), first.line, col + 1 + has_label))
        for stack in _stacks(spanning, False, self.s):
            first = stack[0]
            col = _nearest_column(first, columns, self.s)
            cells.append((first.top, first.x0, _stack_text(stack), first.line, col + 1 + has_label))
        cells.sort(key=lambda c: (round(c[0], 0), c[1]))
        self.b._emit_row([(text, line, col) for _, _, text, line, col in cells])

    def _emit_rows(self, rows: list[_Row], columns: list[_Column], boundary: float, has_label: bool) -> None:
        rl = self.rl
        groups: list[Frag] = []
        mains: dict[int, list[Frag]] = {}
        owner: dict[int, _Row] = {}
        for row in rows:
            frags = row.labels + row.extra
            main, group = _split_group(frags, rl, self.s)
            mains[id(row)] = main
            for f in group:
                owner[id(f)] = row
            groups.extend(group)
        stacks = _stacks(groups, False, self.s)
        before: dict[int, list[list[Frag]]] = {}
        for stack in stacks:
            before.setdefault(id(owner[id(stack[0])]), []).append(stack)
        for row in rows:
            for stack in sorted(before.get(id(row), []), key=lambda s: s[0].x0):
                self.b._emit_row([(_stack_text(stack), stack[0].line, 1)])
            cells: list[tuple[str, Line, int | None]] = []
            main = _reading_order(mains[id(row)])
            if main:
                cells.append((join([f.text for f in main]), main[0].line, 1))
            if not row.numeric and not columns:
                self.b._emit_row(cells)
                continue
            slots: list[list[Frag]] = [[] for _ in columns]
            for f in row.values:
                col = _nearest_column(f, columns, self.s)
                slots[col].append(f)
            value_line = row.lines[0] if not row.values else row.values[0].line
            for k, slot in enumerate(slots):
                slot.sort(key=lambda f: f.x0)
                text = join([f.text for f in slot], " ")
                line = slot[0].line if slot else value_line
                cells.append((text, line, k + 1 + has_label))
            self.b._emit_row(cells)


def _column_starts(frags: list[Frag], s: PdfSettings) -> list[float]:
    """x positions where label cells of at least three rows start (the label sub-columns)."""
    bins = Counter(round(f.x0 / s.label_start_bin) for f in frags)
    return [k * s.label_start_bin for k, n in bins.items() if n >= s.label_start_rows]


def _coalesce(frags: list[Frag], starts: list[float], s: PdfSettings) -> list[Frag]:
    """Rejoin fragments of one line split at a narrow gap (< 0.8 glyph), unless the right one starts where a
    label sub-column starts."""
    by_line: dict[int, list[Frag]] = {}
    for f in frags:
        by_line.setdefault(id(f.line), []).append(f)
    out = []
    for group in by_line.values():
        group.sort(key=lambda f: f.x0)
        merged = [group[0]]
        for f in group[1:]:
            prev = merged[-1]
            gap = f.x0 - prev.x1
            at_start = any(abs(f.x0 - x) <= s.label_start_bin for x in starts)
            if gap <= s.label_join_gap * max(f.h, prev.h) and not at_start:
                merged[-1] = Frag(
                    join([prev.text, f.text]),
                    prev.x0,
                    f.x1,
                    min(prev.top, f.top),
                    max(prev.bottom, f.bottom),
                    prev.line,
                )
            else:
                merged.append(f)
        out.extend(merged)
    return out


def _merge_on_lines(frags: list[Frag]) -> list[Frag]:
    """Fragments of one line joined into one (the label area of a header is one cell wide)."""
    by_line: dict[int, list[Frag]] = {}
    for f in frags:
        by_line.setdefault(id(f.line), []).append(f)
    out = []
    for group in by_line.values():
        group.sort(key=lambda f: f.x0)
        text = join([f.text for f in group])
        out.append(
            Frag(
                text,
                group[0].x0,
                max(f.x1 for f in group),
                min(f.top for f in group),
                max(f.bottom for f in group),
                group[0].line,
            )
        )
    return out


def _reading_order(frags: list[Frag]) -> list[Frag]:
    """Fragments of one label cell: line by line (pages stacked), left to right."""
    return sorted(frags, key=lambda f: (f.line.top + f.line.offset if f.line else f.top, f.x0))


def _assign_orphans(rows: list[_Row], orphans: list[Frag]) -> None:
    """Give each label line without values to the row above or below it: to the one whose label text (or,
    lacking any in that column, whose values) it stands closer to. Lines of one cell are closer together than
    lines of two rows (cell padding and rule), and a numbered line starts a label, so it opens the row below.
    The closest line is placed first, so a label wrapped over several lines grows line by line."""
    members = {id(r): list(r.labels) for r in rows}
    pending = list(orphans)

    def gap(f: Frag, row: _Row) -> float:
        near = [m for m in members[id(row)] if overlap(m.x0, m.x1, f.x0, f.x1) > 0]
        boxes = [(m.top, m.bottom) for m in near] or [(row.vtop, row.vbottom)]
        return min(max(0.0, top - f.bottom, f.top - bottom) for top, bottom in boxes)

    # a line's candidate rows never change, and its gap to a row only when that row takes a line: both are
    # worked out once and the gaps to the row that grew again (the same choice as recomputing all each round)
    choices = _orphan_choices(rows, pending)
    gaps: dict[tuple[int, int], float] = {}
    while pending:
        best: tuple[float, int, Frag, _Row] | None = None
        for k, f in enumerate(pending):
            for row in choices[id(f)]:
                g = gaps.get((id(f), id(row)))
                if g is None:
                    g = gaps[(id(f), id(row))] = gap(f, row)
                if best is None or g < best[0]:
                    best = (g, k, f, row)
        assert best is not None
        _, k, f, row = best
        row.extra.append(f)
        members[id(row)].append(f)
        pending.pop(k)
        for other in pending:
            gaps.pop((id(other), id(row)), None)


def _orphan_choices(rows: list[_Row], pending: list[Frag]) -> dict[int, list[_Row]]:
    """The rows each label line without values may join: the one above it or the one below; a numbered line
    only the row below (it opens that row's label), unless that row's label already has its numbered line."""
    centres = [r.cy for r in rows]

    def opens(row: _Row) -> bool:
        own = sorted(row.labels, key=lambda m: m.x0)
        return bool(own) and bool(NUMBERING.match(fold(own[-1].text)))

    choices: dict[int, list[_Row]] = {}
    starts: list[tuple[Frag, int]] = []  # numbered label lines and the row they open
    for f in pending:
        below = next((i for i, c in enumerate(centres) if c > f.cy), len(rows))
        candidates = [rows[i] for i in (below - 1, below) if 0 <= i < len(rows)]
        if NUMBERING.match(fold(f.text)) and below < len(rows) and not opens(rows[below]):
            candidates = [rows[below]]
            starts.append((f, below))
        choices[id(f)] = candidates
    for f in pending:
        if NUMBERING.match(fold(f.text)):
            continue
        # a line right above a numbered line of its column (the same page) ends the label before: the
        # numbered line starts its row's label (a label cut by a page break, its values on the page before)
        for start, row in starts:
            if (
                f.line is not None
                and start.line is not None
                and f.line.page == start.line.page
                and f.bottom <= start.top
                and overlap(f.x0, f.x1, start.x0, start.x1) > 0
            ):
                kept = [r for r in choices[id(f)] if rows.index(r) < row]
                if kept:
                    choices[id(f)] = kept
    return choices


def _widest_numbers(
    body: list[Line], frags: dict[int, list[Frag]], columns: list[_Column], s: PdfSettings
) -> list[float]:
    """The widest number of each value column: a number wraps inside its cell only when it fills the cell."""
    widest = [0.0] * len(columns)
    for line in body:
        for f in frags[id(line)]:
            if columns and f.is_number:
                k = _nearest_column(f, columns, s)
                widest[k] = max(widest[k], f.w)
    return widest


def _continues(row: _Row, values: list[Frag], widest: list[float], columns: list[_Column], s: PdfSettings) -> bool:
    """A line of digits alone (no label on it), each right under a number of ``row`` that fills its column's
    width and aligned with it (left, right or centred), within one line's pitch: the numbers wrapped inside
    their cells (296 / 3 is 2963, Word and WPS with narrow columns). The digits are joined to the numbers above
    and True returned. Single-digit values of the next row stand a row's pitch lower, their label beside them."""
    if not columns:
        return False
    pairs: list[tuple[Frag, Frag]] = []
    for f in values:
        if not f.text.isdigit():
            return False
        k = _nearest_column(f, columns, s)
        above = [u for u in row.values if _nearest_column(u, columns, s) == k and u.text.isdigit()]
        if not above:
            return False
        u = max(above, key=lambda u: u.bottom)
        tol = s.number_wrap_align * f.h
        aligned = min(abs(u.x0 - f.x0), abs(u.x1 - f.x1), abs(u.cx - f.cx)) <= tol
        close = -tol <= f.top - u.bottom <= s.number_wrap_gap * f.h
        if not (aligned and close and u.w >= widest[k] - tol and f.w <= u.w + tol):
            return False
        pairs.append((u, f))
    if len({id(u) for u, _ in pairs}) != len(pairs):
        return False
    for u, f in pairs:
        u.text += f.text
        u.bottom = f.bottom
    return True


def _same_band(a: _Row, b: _Row, s: PdfSettings) -> bool:
    ov = overlap(a.top, a.bottom, b.top, b.bottom)
    return ov >= s.band_overlap * min(a.bottom - a.top, b.bottom - b.top)


def _shares_column(a: _Row, b: _Row, columns: list[_Column], s: PdfSettings) -> bool:
    if not a.values:
        return False
    used = {_nearest_column(f, columns, s) for f in a.values}
    return any(_nearest_column(f, columns, s) in used for f in b.values)


def _row_label_left(rows: list[_Row], s: PdfSettings) -> float | None:
    """The left edge of the row-label column: the most common start of the label next to the values."""
    lefts = [max(r.labels, key=lambda f: f.x1).x0 for r in rows if r.labels]
    if len(lefts) < 3:
        return None
    bins = Counter(round(x / s.row_label_bin) for x in lefts)
    best = max(bins.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return min(x for x in lefts if round(x / s.row_label_bin) == best)


def _split_group(frags: list[Frag], rl: float | None, s: PdfSettings) -> tuple[list[Frag], list[Frag]]:
    """A row's label fragments: the row label itself, and group labels standing left of the row labels."""
    if rl is None or not frags:
        return frags, []
    main = [f for f in frags if f.x1 > rl + s.label_edge]
    if not main:
        last = max(frags, key=lambda f: f.x1)
        main = [f for f in frags if overlap(f.x0, f.x1, last.x0, last.x1) >= s.wrapped_overlap * min(f.w, last.w)]
    group = []
    for f in frags:
        if f in main:
            continue
        if any(overlap(f.x0, f.x1, m.x0, m.x1) >= s.wrapped_overlap * min(f.w, m.w) for m in main):
            main.append(f)  # a wrapped line of the row label
        else:
            group.append(f)
    return main, group


def _pitch(centres: list[float]) -> float:
    """The columns' pitch from the centres found: a gap over blank columns counts as so many pitches (its
    multiple of the narrowest gap), so a table with many blank columns does not look twice as wide apart."""
    gaps = [b - a for a, b in itertools.pairwise(centres)]
    least = min(gaps, default=0.0)
    if least <= 0:
        return 0.0
    return statistics.median(g / max(1, round(g / least)) for g in gaps)


def _stacks(frags: list[Frag], any_gap: bool, s: PdfSettings) -> list[list[Frag]]:
    """Join fragments standing above each other (overlapping in x) into cells, top to bottom."""
    stacks: list[list[Frag]] = []
    for f in sorted(frags, key=lambda f: (f.top, f.x0)):
        target = None
        for stack in reversed(stacks):
            last = stack[-1]
            if overlap(f.x0, f.x1, last.x0, last.x1) < s.stack_overlap * min(f.w, last.w):
                continue
            # across a page break the parts are stacked with an arbitrary gap: be lenient there
            reach = s.stack_reach if f.line is last.line or f.line.page == last.line.page else s.stack_reach_break
            if any_gap or f.top - last.bottom <= reach * max(f.h, last.h):
                target = stack
            break
        if target is None:
            stacks.append([f])
        else:
            target.append(f)
    return stacks


def _stack_text(stack: list[Frag]) -> str:
    return join([f.text for f in stack])


def _column_of(f: Frag, columns: list[_Column], s: PdfSettings) -> int | None:
    """The column holding most of the fragment (at least ``share`` of its width), else None."""
    if not columns:
        return None
    bounds = _column_bounds(columns, s)
    best, best_ov = None, 0.0
    for k, (a, b) in enumerate(bounds):
        ov = overlap(a, b, f.x0, f.x1)
        if ov > best_ov:
            best, best_ov = k, ov
    if best is not None and best_ov >= s.header_column_share * max(f.w, 0.1):
        return best
    return None


def _nearest_column(f: Frag, columns: list[_Column], s: PdfSettings) -> int:
    bounds = _column_bounds(columns, s)
    for k, (a, b) in enumerate(bounds):
        if a <= f.cx < b:
            return k
    return min(range(len(columns)), key=lambda k: abs(columns[k].cx - f.cx))


def _column_bounds(columns: list[_Column], s: PdfSettings) -> list[tuple[float, float]]:
    """Each column's x-range: from the middle of the gap before it to the middle of the gap after it."""
    bounds = []
    for k, col in enumerate(columns):
        width, margin = col.x1 - col.x0, s.edge_column_margin
        a = (columns[k - 1].x1 + col.x0) / 2 if k else col.x0 - width - margin
        b = (col.x1 + columns[k + 1].x0) / 2 if k + 1 < len(columns) else col.x1 + width + margin
        bounds.append((a, b))
    return bounds


def _merge_columns(columns: list[_Column], s: PdfSettings) -> list[_Column]:
    out: list[_Column] = []
    for col in sorted(columns, key=lambda c: c.x0):
        if out and col.x0 <= out[-1].x1 + s.column_merge:
            out[-1].x1 = max(out[-1].x1, col.x1)
        else:
            out.append(_Column(col.x0, col.x1))
    return out
