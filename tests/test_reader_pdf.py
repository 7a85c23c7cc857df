"""PDF reader. The fixtures come from tests/pdf_builder.py (reportlab, BSD): the template's tables with rules or
without, group labels written one character per line, labels wrapped over two to five lines, blank cells, the
applications table broken across pages with and without a repeated header, running headers and page numbers.
The real reports of the shared corpus are checked too when ../shared is there."""

from __future__ import annotations

import contextlib
import io
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
reportlab = pytest.importorskip("reportlab")

import pdf_builder as pb  # noqa: E402
from reportlab.lib.pdfencrypt import StandardEncryption  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from checker import layout  # noqa: E402
from checker.extract import extract_path  # noqa: E402
from checker.model import ReadError  # noqa: E402
from checker.readers import pdf as pdf_reader  # noqa: E402
from checker.readers import read as read_any  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "corpus" / "real" / "govnianbao" / "szfgs2024.pdf"
PEERS = SHARED / "corpus" / "peers" / "KIROGOVCOMPARE"

FONT = pb.CID_FONT  # an Adobe-GB1 CID font every PDF viewer (and PDFium) knows; nothing to embed
PAGE_W, PAGE_H = pb.PAGE_W, pb.PAGE_H
SECTIONS = pb.SECTIONS
label = pb.label


# -- the report: random values (some blank) drawn by tests/pdf_builder.py -----------------------------------


@dataclass
class Report:
    edition: str
    cells: dict[tuple[str, ...], int | str | None]  # canonical path -> number or None (blank)


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


def render_report(
    report: Report,
    break_before: str,
    repeat_header: bool,
    label_widths: tuple[float, float, float] = (20.0, 50.0, 150.0),
    header: str | None = pb.Style.header,
    rules: bool = True,
    encrypt: StandardEncryption | None = None,
) -> bytes:
    """The whole report (tests/pdf_builder.py): table 三 breaks before ``break_before``, its group label written
    one character per line, a running header (unless None) and page numbers, rules drawn or none."""
    lay = pb.Layout(label_widths=label_widths, break_before=break_before, repeat_header=repeat_header)
    style = pb.Style(rules="lines" if rules else "none", header=header)
    return pb.render_report(report.edition, report.cells, lay, style, encrypt=encrypt)


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
