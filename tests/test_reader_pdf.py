"""PDF reader. Fixtures are drawn here with reportlab (BSD): the template's tables with rules, group labels
written one character per line or wrapped, labels wrapped over two or three lines, blank cells, the
applications table broken across pages with and without a repeated header, running headers and page numbers.
The real reports of the shared corpus are checked too when ../shared is there."""

from __future__ import annotations

import contextlib
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
reportlab = pytest.importorskip("reportlab")

from reportlab.lib.pdfencrypt import StandardEncryption  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from checker import layout  # noqa: E402
from checker.extract import extract_path  # noqa: E402
from checker.labels import vocabulary  # noqa: E402
from checker.model import ReadError  # noqa: E402
from checker.readers import pdf as pdf_reader  # noqa: E402
from checker.readers import read as read_any  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "corpus" / "real" / "govnianbao" / "szfgs2024.pdf"
PEERS = SHARED / "corpus" / "peers" / "KIROGOVCOMPARE"

FONT = "STSong-Light"  # an Adobe-GB1 CID font every PDF viewer (and PDFium) knows; nothing to embed
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_W, PAGE_H = 595.0, 842.0
LEFT, RIGHT = 60.0, 535.0
TOP, BOTTOM = 72.0, 780.0
SIZE = 9.0  # table text
LH = 11.0  # table line height


# -- a tiny page writer: drawing operations are collected per page and rendered at the end ---------------


class Writer:
    def __init__(
        self, header: str | None = "某某县人民政府政府信息公开工作年度报告", encrypt=None, rules: bool = True
    ) -> None:
        self.ops: list[list[tuple]] = []
        self.header = header
        self.encrypt = encrypt
        self.rules = rules
        self.y = TOP
        self.new_page()

    @property
    def page(self) -> int:
        return len(self.ops)

    def new_page(self) -> None:
        self.ops.append([])
        self.y = TOP

    def text(self, page: int, x: float, top: float, s: str, size: float = SIZE) -> None:
        """Text whose em box starts at ``top`` (display coordinates, from the top of the page)."""
        self.ops[page - 1].append(("text", x, top, s, size))

    def line(self, page: int, x0: float, y0: float, x1: float, y1: float) -> None:
        self.ops[page - 1].append(("line", x0, y0, x1, y1))

    def ensure(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    def centred(self, s: str, size: float) -> None:
        self.ensure(size * 1.8)
        self.text(self.page, (PAGE_W - size * len(s)) / 2, self.y, s, size)
        self.y += size * 1.8

    def para(self, s: str, size: float = 10.5, indent: bool = True) -> None:
        per_line = int((RIGHT - LEFT) // size)
        first = per_line - 2 if indent else per_line
        lines = [s[:first]]
        rest = s[first:]
        while rest:
            lines.append(rest[:per_line])
            rest = rest[per_line:]
        for k, ln in enumerate(lines):
            self.ensure(size * 1.7)
            x = LEFT + (2 * size if indent and k == 0 else 0)
            self.text(self.page, x, self.y, ln, size)
            self.y += size * 1.7

    def heading(self, s: str) -> None:
        self.y += 4
        self.para(s, size=12, indent=False)

    def render(self) -> bytes:
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), encrypt=self.encrypt)
        c.setLineWidth(0.5)
        for number, ops in enumerate(self.ops, 1):
            if self.header:
                c.setFont(FONT, 9)
                c.drawString((PAGE_W - 9 * len(self.header)) / 2, PAGE_H - 40, self.header)
            c.setFont(FONT, 10.5)
            c.drawString(PAGE_W / 2 - 12, 40, f"- {number} -")
            for op in ops:
                if op[0] == "text":
                    _, x, top, s, size = op
                    c.setFont(FONT, size)
                    c.drawString(x, PAGE_H - top - size * 0.88, s)
                elif self.rules:
                    _, x0, y0, x1, y1 = op
                    c.line(x0, PAGE_H - y0, x1, PAGE_H - y1)
            c.showPage()
        c.save()
        return buf.getvalue()


# -- tables: a grid renderer with row and column spans, page breaks, repeated header ----------------------


@dataclass
class GCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    align: str = "center"  # "left" | "center"
    vertical: bool = False  # one character per line


@dataclass
class Grid:
    widths: list[float]
    cells: list[GCell] = field(default_factory=list)
    n_rows: int = 0
    header_rows: int = 0

    def add(self, *args, **kw) -> None:
        cell = GCell(*args, **kw)
        self.cells.append(cell)
        self.n_rows = max(self.n_rows, cell.row + cell.rowspan)


def text_width(text: str) -> float:
    return sum(SIZE / 2 if ch.isascii() else SIZE for ch in text)


def wrap(text: str, width: float, vertical: bool = False) -> list[str]:
    if vertical:
        return list(text)
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch) > width - 4:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


def draw_grid(w: Writer, grid: Grid, break_before: int | None = None, repeat_header: bool = False) -> None:
    xs = [LEFT]
    for width in grid.widths:
        xs.append(xs[-1] + width)
    heights = [16.0] * grid.n_rows
    for cell in grid.cells:
        if cell.rowspan == 1:
            lines = wrap(cell.text, xs[cell.col + cell.colspan] - xs[cell.col], cell.vertical)
            heights[cell.row] = max(heights[cell.row], len(lines) * LH + 5)
    for cell in grid.cells:
        if cell.rowspan > 1:
            lines = wrap(cell.text, xs[cell.col + cell.colspan] - xs[cell.col], cell.vertical)
            need = len(lines) * LH + 5
            have = sum(heights[cell.row : cell.row + cell.rowspan])
            if need > have:
                heights[cell.row + cell.rowspan - 1] += need - have
    # place rows: virtual top of each row and where it lands (page, top on page)
    vtops, places = [], []
    v = 0.0
    page, y = w.page, w.y
    header_h = sum(heights[: grid.header_rows])
    for r, h in enumerate(heights):
        if (r == break_before) or (y + h > BOTTOM and r > grid.header_rows):
            w.new_page()
            page, y = w.page, w.y
            if repeat_header and grid.header_rows:
                _draw_cells(
                    w,
                    grid,
                    xs,
                    heights,
                    [(page, y + sum(heights[:k])) for k in range(grid.header_rows)],
                    list(range(grid.header_rows)),
                    [sum(heights[:k]) for k in range(grid.header_rows)],
                )
                y += header_h
        vtops.append(v)
        places.append((page, y))
        v += h
        y += h
    w.y = y + 10
    _draw_cells(w, grid, xs, heights, places, list(range(grid.n_rows)), vtops)


def _draw_cells(w: Writer, grid: Grid, xs, heights, places, rows: list[int], vtops: list[float]) -> None:
    row_set = set(rows)

    def locate(vy: float) -> tuple[int, float]:
        for k, r in enumerate(rows):
            top = vtops[k]
            if vy < top + heights[r] or k == len(rows) - 1:
                page, y = places[k]
                return page, y + (vy - top)
        raise AssertionError

    for cell in grid.cells:
        if cell.row not in row_set:
            continue
        k = rows.index(cell.row)
        x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
        span = [r for r in range(cell.row, cell.row + cell.rowspan) if r in row_set]
        top = vtops[k]
        height = sum(heights[r] for r in span)
        lines = wrap(cell.text, x1 - x0, cell.vertical)
        first = top + (height - len(lines) * LH) / 2
        for n, text in enumerate(lines):
            page, y = locate(first + n * LH + 1)
            below, y_end = locate(first + n * LH + 1 + SIZE)
            if below != page:  # a line does not straddle the page break: it moves to the next page
                page, y = below, y_end - SIZE
            x = x0 + 2 if cell.align == "left" else (x0 + x1 - text_width(text)) / 2
            w.text(page, x, y, text)
        # rules: the cell's box on every page it touches
        for r in span:
            page, y = places[rows.index(r)]
            h = heights[r]
            w.line(page, x0, y, x0, y + h)
            w.line(page, x1, y, x1, y + h)
            if r == cell.row or places[rows.index(r) - 1][0] != page:
                w.line(page, x0, y, x1, y)
            if r == cell.row + cell.rowspan - 1 or (
                rows.index(r) + 1 < len(rows) and places[rows.index(r) + 1][0] != page
            ):
                w.line(page, x0, y + h, x1, y + h)


# -- the report ----------------------------------------------------------------------------------------------

VOCAB = vocabulary()


def label(key: str, kinds: tuple[str, ...], edition: str) -> str:
    for term in VOCAB.terms:
        if term.key == key and term.kind in kinds and edition in term.editions:
            return term.label
    raise KeyError(key)


GROUPS = {
    "results.denied": "（三）不予公开",
    "results.unavailable": "（四）无法提供",
    "results.not_processed": "（五）不予处理",
    "results.other": "（六）其他处理",
}


@dataclass
class Report:
    edition: str
    cells: dict[tuple[str, ...], int | str | None]  # canonical path -> number or None (blank)

    def value_text(self, path: tuple[str, ...]) -> str:
        v = self.cells[path]
        return "" if v is None else str(v)


def make_report(edition: str, seed: int) -> Report:
    rng = random.Random(seed)
    cells: dict[tuple[str, ...], int | str | None] = {}
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        for row in rows:
            for col in cols:
                if col == "change":
                    cells[("active", block, row, col)] = f"{rng.choice('+-')}{rng.randint(1, 50)}"
                elif col == "amount":
                    cells[("active", block, row, col)] = f"{rng.randint(100, 99999)}.{rng.randint(1, 9)}"
                else:
                    cells[("active", block, row, col)] = rng.randint(0, 500000)
    for row in layout.APP_ROWS[edition]:
        for col in layout.APP_COLUMNS:
            cells[("applications", row, col)] = rng.choice([0, 0, 1, 2, 3, 7, 12, 45, 108, 3119])
    for row in layout.REVIEW_ROWS:
        for col in layout.REVIEW_COLUMNS:
            cells[("review", row, col)] = rng.randint(0, 40)
    # blank cells: scattered ones, a whole applicant column left blank (2019), a blank review cell
    blanks = [
        ("applications", "carried_over", "commercial"),
        ("applications", "results.partial", "legal_service"),
        ("applications", "results.not_processed.confirmation", "natural_person"),
        ("applications", "results.total", "other_org"),
        ("review", "litigation_direct", "pending"),
        ("active", "art20_1", "rules", layout.ACTIVE[edition]["art20_1"][1][1]),
    ]
    if edition == "2019":
        blanks += [("applications", row, "research") for row in layout.APP_ROWS[edition]]
    for path in blanks:
        cells[path] = None
    return Report(edition, cells)


def expected(report: Report) -> dict[tuple[str, ...], object]:
    out = {}
    for path, v in report.cells.items():
        if v is None:
            out[path] = None
        elif isinstance(v, str):
            out[path] = float(v) if "." in v else int(v)
        else:
            out[path] = v
    return out


def active_grid(report: Report) -> Grid:
    ed = report.edition
    grid = Grid([150.0] + [325.0 / 6] * 6)
    r = 0
    for block, (rows, cols) in layout.ACTIVE[ed].items():
        caption = label(block, ("BLOCK",), ed)
        grid.add(r, 0, caption, colspan=7)
        r += 1
        grid.add(r, 0, "信息内容")
        span = 6 // len(cols)
        for k, col in enumerate(cols):
            grid.add(r, 1 + k * span, label(col, ("ACTIVE_COL",), ed), colspan=span)
        r += 1
        for row in rows:
            grid.add(r, 0, label(row, ("ACTIVE_ROW",), ed), align="left")
            for k, col in enumerate(cols):
                grid.add(r, 1 + k * span, report.value_text(("active", block, row, col)), colspan=span)
            r += 1
    return grid


def app_grid(report: Report, label_widths: tuple[float, float, float] = (20.0, 50.0, 150.0)) -> tuple[Grid, dict]:
    """Table 3 as the template draws it: 3 label columns (group, sub-group, row label) and 7 value columns."""
    ed = report.edition
    grid = Grid([*label_widths] + [(475.0 - sum(label_widths)) / 7] * 7, header_rows=3)
    grid.add(0, 0, label("note", ("APP_NOTE",), ed), rowspan=3, colspan=3)
    grid.add(0, 3, "申请人情况", colspan=7)
    grid.add(1, 3, "自然人", rowspan=2)
    grid.add(1, 4, "法人或其他组织", colspan=5)
    grid.add(1, 9, "总计", rowspan=2)
    for k, text in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        grid.add(2, 4 + k, text)
    rows = layout.APP_ROWS[ed]
    index = {}
    r = 3
    results_first = None
    groups: dict[str, list[int]] = {}
    for key in rows:
        index[key] = r
        group = next((g for g in GROUPS if key.startswith(g + ".")), None)
        if key.startswith("results.") and results_first is None:
            results_first = r
        if group:
            groups.setdefault(group, []).append(r)
            grid.add(r, 2, label(key, ("APP_ROW",), ed), align="left")
        elif key.startswith("results."):
            grid.add(r, 1, label(key, ("APP_ROW",), ed), colspan=2, align="left")
        else:
            grid.add(r, 0, label(key, ("APP_ROW",), ed), colspan=3, align="left")
        for k, col in enumerate(layout.APP_COLUMNS):
            grid.add(r, 3 + k, report.value_text(("applications", key, col)))
        r += 1
    for group, members in groups.items():
        grid.add(members[0], 1, GROUPS[group], rowspan=len(members))
    total = index["results.total"]
    grid.add(results_first, 0, "三、本年度办理结果", rowspan=total - results_first + 1, vertical=True)
    return grid, index


def review_grid(report: Report) -> Grid:
    grid = Grid([475.0 / 15] * 15, header_rows=3)
    grid.add(0, 0, "行政复议", colspan=5)
    grid.add(0, 5, "行政诉讼", colspan=10)
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for k, text in enumerate(heads):
        grid.add(1, k, text, rowspan=2)
    grid.add(1, 5, "未经复议直接起诉", colspan=5)
    grid.add(1, 10, "复议后起诉", colspan=5)
    for k, text in enumerate(heads * 2):
        grid.add(2, 5 + k, text)
    for g, group in enumerate(layout.REVIEW_ROWS):
        for k, col in enumerate(layout.REVIEW_COLUMNS):
            grid.add(3, g * 5 + k, report.value_text(("review", group, col)))
    return grid


SECTIONS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
PROSE = (
    "本年度，我县坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "围绕县委县政府中心工作，持续深化政务公开，不断提升政府信息公开工作质量和实效，切实保障人民群众的知情权、"
    "参与权、表达权和监督权。"
)


def render_report(
    report: Report, break_before: str, repeat_header: bool, label_widths=(20.0, 50.0, 150.0), **writer_kw
) -> bytes:
    year = 2020 if report.edition == "2019" else 2023
    w = Writer(**writer_kw)
    w.centred("某某县人民政府", 16)
    w.centred(f"{year}年政府信息公开工作年度报告", 16)
    w.para(
        f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告中所列数据统计期限自{year}年1月1日起至{year}年"
        "12月31日止。如对本报告有疑问，请与某某县人民政府办公室联系。"
    )
    w.heading(SECTIONS[0])
    w.para(PROSE)
    w.para(PROSE)
    w.heading(SECTIONS[1])
    draw_grid(w, active_grid(report))
    w.heading(SECTIONS[2])
    grid, index = app_grid(report, label_widths)
    w.ensure(200)
    draw_grid(w, grid, break_before=index[break_before], repeat_header=repeat_header)
    w.heading(SECTIONS[3])
    w.ensure(120)
    draw_grid(w, review_grid(report))
    w.heading(SECTIONS[4])
    w.para(PROSE)
    w.heading(SECTIONS[5])
    w.para(f"{year}年，本机关未收取信息处理费。")
    return w.render()


CASES = [
    # edition, where page 2 of table 3 starts, repeated header
    ("2019", "results.denied.internal_affairs", True),  # （三）不/予公开 split by the page break
    ("2019", "results.unavailable.needs_creation", False),
    ("2021", "results.denied.internal_affairs", False),
    ("2021", "results.other.unpaid_fee", True),
]


@pytest.fixture(
    scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1].split('.')[-1]}-{'rep' if c[2] else 'norep'}"
)
def rendered(request, tmp_path_factory):
    edition, break_before, repeat = request.param
    report = make_report(edition, seed=CASES.index(request.param) + 7)
    path = tmp_path_factory.mktemp("pdf") / f"report_{edition}.pdf"
    path.write_bytes(render_report(report, break_before, repeat))
    return report, path, repeat


# -- (2) the project's own fixtures round-trip exactly -----------------------------------------------------


def test_fixture_round_trips_every_cell(rendered):
    report, path, _ = rendered
    result = extract_path(str(path))
    assert result.readable, result.problems
    assert result.edition == report.edition
    got = {p: c.value.json() for p, c in result.cells.items()}
    want = expected(report)
    assert {p: got.get(p, "MISSING") for p in want if got.get(p, "MISSING") != want[p]} == {}
    assert set(got) == set(want)
    assert layout.cell_count(report.edition) == {
        t: sum(1 for p in got if p[0] == t) for t in ("active", "applications", "review")
    }
    assert [p for p in result.problems if p.rule.startswith(("S2", "P"))] == []
    assert result.year == (2020 if report.edition == "2019" else 2023)
    assert result.agency == "某某县人民政府"


def test_fixture_table_spans_pages_as_one_block(rendered):
    report, path, _ = rendered
    doc = read_any(str(path))
    tables = [b for b in doc.blocks if b.is_table]
    assert len(tables) == 3
    app = tables[1]
    pages = {c.source.page for row in app.rows for c in row}
    assert len(pages) >= 2  # one block across the page break(s)
    # one header row only: a repeated header was dropped
    assert sum(1 for row in app.rows if any("申请人情况" in c.text for c in row)) == 1
    # the grid as the page draws it: 3 label columns and 7 value columns, merged cells at every position
    assert {len(row) for row in app.rows} == {10}
    data = [row for row in app.rows if row[-1].text.isdigit()]
    labels = {row[2].text for row in app.rows}
    for key in layout.APP_ROWS[report.edition]:
        wording = label(key, ("APP_ROW",), report.edition)
        assert wording in labels, wording
    for row in app.rows:
        assert [c.source.col for c in row] == list(range(1, 11))
        assert all(c.source.table == 2 and c.source.page and c.source.line for c in row)
    assert data
    # group labels joined: vertical 三、本年度办理结果, wrapped and page-split （三）不予公开; copies are spanned
    groups = [row[0].text for row in app.rows] + [row[1].text for row in app.rows]
    assert "三、本年度办理结果" in groups
    assert "（三）不予公开" in groups
    assert sum(1 for row in app.rows for c in row if c.text == "（三）不予公开" and not c.spanned) == 1
    assert "5.要求行政机关确认或重新出具已获取信息" in labels
    # running header and page numbers are gone
    texts = [b.text for b in doc.blocks if not b.is_table]
    assert "某某县人民政府政府信息公开工作年度报告" not in texts
    assert not any(t.startswith("- ") for t in texts)
    assert [b.text for b in doc.blocks if b.kind == "heading"][1:] == SECTIONS
    assert doc.blocks[0].text == f"某某县人民政府{2020 if report.edition == '2019' else 2023}年政府信息公开工作年度报告"


def test_fixture_sources_name_the_page(rendered):
    _, path, _ = rendered
    result = extract_path(str(path))
    for cell in result.cells.values():
        assert cell.source.page is not None and cell.source.line is not None
        assert cell.source.describe().startswith("第")
    doc = result.document
    assert all(b.source.page for b in doc.blocks)


def test_misaligned_blank_cells_do_not_shift(tmp_path):
    """A row whose middle cells are blank keeps its values under their own headers."""
    report = make_report("2021", seed=3)
    for col in ("commercial", "research", "social_welfare"):
        report.cells[("applications", "received_new", col)] = None
    path = tmp_path / "r.pdf"
    path.write_bytes(render_report(report, "results.total", False))
    result = extract_path(str(path))
    got = {p: c.value.json() for p, c in result.cells.items()}
    for col in layout.APP_COLUMNS:
        assert got[("applications", "received_new", col)] == expected(report)[("applications", "received_new", col)]


def test_without_ruling_lines_and_a_blank_first_review_cell(tmp_path):
    """No rules at all (many exports draw none, or only some): the text positions alone give the grid."""
    report = make_report("2019", seed=21)
    report.cells[("review", "review", "upheld")] = None
    report.cells[("applications", "received_new", "natural_person")] = None
    path = tmp_path / "norules.pdf"
    path.write_bytes(render_report(report, "results.unavailable.unclear", False, rules=False, header=None))
    result = extract_path(str(path))
    got = {p: c.value.json() for p, c in result.cells.items()}
    assert got == expected(report)
    assert [p for p in result.problems if p.rule.startswith(("S2", "P"))] == []


def test_narrow_label_columns_wrap_every_label(tmp_path):
    """Labels wrapped over two to five lines, the first row's included (its first line sits above the values)."""
    report = make_report("2021", seed=8)
    path = tmp_path / "narrow.pdf"
    path.write_bytes(render_report(report, "results.not_processed.petition", True, label_widths=(18.0, 45.0, 80.0)))
    result = extract_path(str(path))
    got = {p: c.value.json() for p, c in result.cells.items()}
    assert got == expected(report)
    assert [p for p in result.problems if p.rule.startswith(("S2", "P"))] == []


# -- (3) unreadable PDFs -------------------------------------------------------------------------------------


def _image_only_pdf() -> bytes:
    from reportlab.lib.utils import ImageReader

    PIL = pytest.importorskip("PIL.Image")
    img = PIL.new("L", (200, 100), 255)
    for x in range(20, 180):
        img.putpixel((x, 50), 0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H))
    c.drawImage(ImageReader(img), 100, 500, width=400, height=200)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_scan_without_text_layer_needs_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_image_only_pdf())
    with pytest.raises(ReadError) as info:
        read_any(str(path))
    assert "OCR" in str(info.value) and "文字层" in str(info.value)
    result = extract_path(str(path))
    assert not result.readable
    assert [p.rule for p in result.problems] == ["P001"]
    assert "OCR" in result.problems[0].message


def test_scanned_page_inside_a_text_pdf_is_noted():
    from reportlab.lib.utils import ImageReader

    PIL = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H))
    c.setFont(FONT, 12)
    c.drawString(72, 700, "一、总体情况")
    c.showPage()
    c.drawImage(ImageReader(PIL.new("L", (50, 50), 128)), 100, 500, width=100, height=100)
    c.showPage()
    c.save()
    doc = pdf_reader.read(buf.getvalue(), "mixed.pdf")
    assert [b.text for b in doc.blocks] == ["一、总体情况"]
    assert [(p.rule, p.source.page) for p in doc.problems] == [("P001", 2)]
    assert "OCR" in doc.problems[0].message


def test_corrupt_and_truncated_pdfs_raise_read_error(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage garbage\n%%EOF")
    with pytest.raises(ReadError):
        read_any(str(bad))
    result = extract_path(str(bad))
    assert not result.readable and result.problems[0].rule == "P001"
    # a PDF by content under another extension is read as PDF by the registry too
    renamed = tmp_path / "bad.docx"
    renamed.write_bytes(bad.read_bytes())
    with pytest.raises(ReadError):
        read_any(str(renamed))


def test_random_corruption_never_escapes_as_another_exception(tmp_path):
    data = render_report(make_report("2021", seed=11), "results.total", False)
    rng = random.Random(1)
    for k in range(25):
        blob = bytearray(data)
        if k % 3 == 0:
            blob = blob[: rng.randint(10, len(blob) - 1)]
        else:
            for _ in range(rng.randint(1, 40)):
                blob[rng.randrange(len(blob))] = rng.randrange(256)
        with contextlib.suppress(ReadError):
            pdf_reader.read(bytes(blob), "x.pdf")


def test_encrypted_pdf(tmp_path):
    report = make_report("2021", seed=2)
    locked = render_report(report, "results.total", False, encrypt=StandardEncryption("secret", "owner"))
    with pytest.raises(ReadError) as info:
        pdf_reader.read(locked, "locked.pdf")
    assert "加密" in str(info.value)
    # an owner password alone (printing/copying restrictions) does not stop reading
    open_pdf = render_report(report, "results.total", False, encrypt=StandardEncryption("", "owner"))
    doc = pdf_reader.read(open_pdf, "open.pdf")
    assert sum(1 for b in doc.blocks if b.is_table) == 3


def test_empty_page_pdf_has_no_text():
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.showPage()
    c.save()
    with pytest.raises(ReadError, match="OCR"):
        pdf_reader.read(buf.getvalue(), "blank.pdf")


def test_page_number_patterns():
    for text in ("-3-", "- 3 -", "—3—", "第3页", "第 3 页 共 6 页", "3/6", "3"):
        assert pdf_reader.PAGE_NUMBER.match(text.replace(" ", "")), text
    for text in ("3119", "一、总体情况", "2024年"):
        assert not (pdf_reader.PAGE_NUMBER.match(text) and not text.isdigit()), text


# -- (1) the real reports ------------------------------------------------------------------------------------

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (the corpus) is not available")

APP_SZF = {  # 淮安市 2024 (MANIFEST: hand-checked)
    "received_new": [3001, 53, 0, 0, 61, 4, 3119],
    "carried_over": [34, 0, 0, 0, 0, 0, 34],
    "results.granted": [1288, 21, 0, 0, 50, 3, 1362],
    "results.partial": [447, 7, 0, 0, 0, 0, 454],
    "results.denied.state_secret": [2, 0, 0, 0, 0, 0, 2],
    "results.denied.law_forbidden": [30, 1, 0, 0, 0, 0, 31],
    "results.denied.safety_stability": [5, 0, 0, 0, 0, 0, 5],
    "results.denied.third_party": [6, 0, 0, 0, 0, 0, 6],
    "results.denied.internal_affairs": [7, 1, 0, 0, 0, 0, 8],
    "results.denied.process_info": [12, 0, 0, 0, 0, 0, 12],
    "results.denied.enforcement_file": [9, 0, 0, 0, 0, 0, 9],
    "results.denied.admin_query": [105, 0, 0, 0, 0, 0, 105],
    "results.unavailable.not_held": [746, 12, 0, 0, 10, 1, 769],
    "results.unavailable.needs_creation": [11, 0, 0, 0, 0, 0, 11],
    "results.unavailable.unclear": [1, 0, 0, 0, 0, 0, 1],
    "results.not_processed.petition": [56, 6, 0, 0, 0, 0, 62],
    "results.not_processed.duplicate": [25, 0, 0, 0, 0, 0, 25],
    "results.not_processed.publication": [0] * 7,
    "results.not_processed.excessive": [0] * 7,
    "results.not_processed.confirmation": [1, 0, 0, 0, 0, 0, 1],
    "results.other.no_correction": [67, 3, 0, 0, 1, 0, 71],
    "results.other.unpaid_fee": [6, 0, 0, 0, 0, 0, 6],
    "results.other.misc": [108, 2, 0, 0, 0, 0, 110],
    "results.total": [2932, 53, 0, 0, 61, 4, 3050],
    "carried_forward": [103, 0, 0, 0, 0, 0, 103],
}
REVIEW_SZF = {
    "review": [72, 64, 178, 37, 351],
    "litigation_direct": [13, 4, 8, 1, 26],
    "litigation_after_review": [12, 1, 1, 6, 20],
}
ACTIVE_SZF = {
    ("art20_1", "rules"): [1, 0, 11],
    ("art20_1", "normative_docs"): [8, 26, 66],
    ("art20_5", "licensing"): [447228],
    ("art20_6", "penalty"): [3985758],
    ("art20_6", "coercion"): [88283],
    ("art20_8", "fees"): [96171.6],
}


@needs_shared
def test_real_huaian_2024_every_cell():
    result = extract_path(str(REAL))
    assert result.edition == "2021" and result.year == 2024 and result.agency == "淮安市人民政府"
    assert len([p for p in result.cells if p[0] == "applications"]) == 175
    assert len([p for p in result.cells if p[0] == "review"]) == 15
    apps = {row: [result.value(("applications", row, col)) for col in layout.APP_COLUMNS] for row in APP_SZF}
    assert apps == APP_SZF
    review = {g: [result.value(("review", g, col)) for col in layout.REVIEW_COLUMNS] for g in REVIEW_SZF}
    assert review == REVIEW_SZF
    active = {
        k: [c.value.json() for p, c in result.cells.items() if p[0] == "active" and p[1:3] == k] for k in ACTIVE_SZF
    }
    assert active == ACTIVE_SZF
    assert [p for p in result.problems if p.rule.startswith(("S2", "P"))] == []
    # findings name the page
    assert result.cells[("applications", "results.total", "total")].source.page == 5
    assert result.cells[("applications", "received_new", "total")].source.page == 4
    assert result.cells[("review", "review", "total")].source.page == 5


# 洪泽区 2023/2024 print "2.其他法律行政止公开" (法规禁 missing in the PDF itself) and a single 2019-style
# （六）其他处理 row in a 2021-layout table: those rows cannot be matched to the template and are reported.
HZQ = {
    "hzq2023_working.pdf": {
        "totals": {"received_new": 21, "carried_over": 0, "results.total": 21, "carried_forward": 0},
        "review": {
            "review": [10, 1, 0, 0, 0],
            "litigation_direct": [0] * 5,
            "litigation_after_review": [5, 0, 0, 0, 0],
        },
        "active": {
            ("art20_1", "normative_docs"): [0, 5, 5],
            ("art20_6", "penalty"): [4119],
            ("art20_8", "fees"): [7730.28],
        },
        "year": 2023,
    },
    "hzq2024_working.pdf": {
        "totals": {"received_new": 95, "carried_over": 0, "results.total": 95, "carried_forward": 0},
        "review": {
            "review": [1, 1, 0, 0, 2],
            "litigation_direct": [1, 0, 0, 0, 1],
            "litigation_after_review": [2, 0, 1, 0, 3],
        },
        "active": {
            ("art20_1", "normative_docs"): [3, 0, 8],
            ("art20_6", "penalty"): [2776],
            ("art20_8", "fees"): [7545],
        },
        "year": 2024,
    },
}
# The PDFs print a 2019-style single （六）其他处理 row in a 2021 table: it is read under its 2019 key
# (results.other) and reported as E102; the three 2021 sub-rows are not there.
HZQ_ROWS = (set(layout.APP_ROWS["2021"]) - set(layout.OUTCOME_ROWS["2021"][-3:])) | {"results.other"}


@needs_shared
@pytest.mark.parametrize("name", sorted(HZQ))
def test_real_hongze(name):
    want = HZQ[name]
    result = extract_path(str(PEERS / name))
    assert result.edition == "2021" and result.year == want["year"]
    for row, total in want["totals"].items():
        assert result.value(("applications", row, "total")) == total
    review = {g: [result.value(("review", g, col)) for col in layout.REVIEW_COLUMNS] for g in want["review"]}
    assert review == want["review"]
    for key, values in want["active"].items():
        assert [c.value.json() for p, c in result.cells.items() if p[0] == "active" and p[1:3] == key] == values
    # every applications row the template and the PDF share is read, all seven cells
    rows = {p[1] for p in result.cells if p[0] == "applications"}
    assert rows == HZQ_ROWS
    assert all(len([p for p in result.cells if p[0] == "applications" and p[1] == row]) == 7 for row in rows)
    assert len([p for p in result.cells if p[0] == "review"]) == 15
    # The PDFs misprint 2.其他法律行政法规禁止公开 as "2.其他法律行政止公开": read, with a wording note (S203).
    assert any(p.rule == "S203" and "行政止公开" in p.message for p in result.problems)
    assert [p.rule for p in result.problems if p.rule.startswith(("S202", "E102"))] == ["E102"]


def test_a_page_of_hatching_is_not_read_as_a_table():
    """Thousands of rules (hatching, a chart, a hostile file) are not a table: the page, text inside the
    hatching included, is read by the layout method (and the rules are not paired up one by one)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(2000, 2000))
    c.setFont(FONT, 12)
    c.drawString(72, 1900, "一、总体情况")
    for i in range(400):
        c.line(50, 50 + i * 4.5, 1950, 50 + i * 4.5)
    for i in range(600):
        c.line(50 + i * 3.2, 50, 50 + i * 3.2, 1850)
    c.drawString(900, 1000, "示意图")
    c.showPage()
    c.save()
    doc = pdf_reader.read(buf.getvalue(), "hatching.pdf")
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "一、总体情况"), ("paragraph", "示意图")]


def test_rules_inside_a_form_xobject():
    """Some producers wrap the page's drawing in a form XObject (placed with its own matrix)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H))
    c.setFont(FONT, 10)
    c.beginForm("grid")
    for k in range(4):
        c.line(100, 700 - 20 * k, 400, 700 - 20 * k)
    for x in (100, 250, 400):
        c.line(x, 700, x, 640)
    c.endForm()
    c.saveState()
    c.translate(10, -100)
    c.doForm("grid")
    c.restoreState()
    for k, (a, b) in enumerate((("名称", "数量"), ("甲", "1"), ("乙", "2"))):
        c.drawString(115, 586 - 20 * k, a)
        c.drawString(265, 586 - 20 * k, b)
    c.showPage()
    c.save()
    (table,) = pdf_reader.read(buf.getvalue(), "form.pdf").blocks
    assert [[cell.text for cell in row] for row in table.rows] == [["名称", "数量"], ["甲", "1"], ["乙", "2"]]


@pytest.mark.parametrize("rotation", [90, 270])
def test_a_landscape_page_drawn_turned(rotation):
    """A landscape page stored upright with /Rotate (the content drawn turned): read as shown."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H))
    c.setPageRotation(rotation)

    def user(x: float, y: float) -> tuple[float, float]:  # shown (842 wide, y down) -> PDF user space
        return (y, x) if rotation == 90 else (PAGE_W - y, PAGE_H - x)

    def text(x: float, baseline: float, s: str) -> None:
        c.saveState()
        c.translate(*user(x, baseline))
        c.rotate(90 if rotation == 90 else -90)
        c.setFont(FONT, 10)
        c.drawString(0, 0, s)
        c.restoreState()

    text(100, 80, "一、总体情况")
    for k in range(4):
        c.line(*user(100, 100 + 20 * k), *user(700, 100 + 20 * k))
    for x in (100, 300, 500, 700):
        c.line(*user(x, 100), *user(x, 160))
    rows = [["名称", "数量", "金额"], ["甲", "1", "2.5"], ["乙", "2", "3"]]
    for k, row in enumerate(rows):
        for j, s in enumerate(row):
            text(110 + 200 * j, 114 + 20 * k, s)
    c.showPage()
    c.save()
    heading, table = pdf_reader.read(buf.getvalue(), "landscape.pdf").blocks
    assert heading.text == "一、总体情况"
    assert [[cell.text for cell in row] for row in table.rows] == rows
