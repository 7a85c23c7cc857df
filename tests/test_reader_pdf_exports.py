"""PDF tables as real exports draw them (tests/pdf_builder.py): narrow wrapped header cells, row labels wrapped
over up to six lines, rows broken across pages, borders as thin filled rectangles, rotated text, embedded and
non-embedded fonts, only horizontal rules. Every cell of every fixture round-trips, no table gives a false
S202, and an arithmetic error planted in a cell is found at that cell. The project's own DOCX is also exported
by LibreOffice where it is installed: a real office engine with its own wrapping and borders."""

from __future__ import annotations

import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")

import pdf_builder as pb

from checker.engine import check_report, load_rules
from checker.extract import extract_path
from checker.writers import ReportData, consistent_values, render

SCENARIOS: dict[str, tuple[pb.Layout, pb.Style]] = {
    # 商业/企业, 社会/公益/组织, 法律/服务/机构; 结果/维持, 尚未/审结, 总/计; a repeated header
    "narrow-headers": (
        pb.Layout(
            label_widths=(20, 60, 192), review_col=21, break_before="results.denied.third_party", repeat_header=True
        ),
        pb.Style(),
    ),
    # 商业企/业, 法律服/务机构; no running header, no page numbers, no repeated header; table 四's row of
    # values alone on the next page
    "wrapped-three": (
        pb.Layout(
            label_widths=(20, 50, 170), review_col=27, break_before="results.unavailable.not_held", review_break=True
        ),
        pb.Style(header=None, page_numbers=False),
    ),
    # a DOCX draft with default column widths: labels over up to six lines (1.属/于国/家秘/密), rows broken
    # across pages with their values on the first part; 续表 above the part on the next page
    "office-draft": (pb.Layout(label_widths=(14, 30, 24), split_rows=True, mark="续表"), pb.Style()),
    # ... the values on the second part, and the header repeated
    "office-draft-values-below": (
        pb.Layout(label_widths=(14, 30, 24), split_rows=True, values_on="second", repeat_header=True),
        pb.Style(),
    ),
    # Word/WPS: borders as thin filled rectangles, an embedded (subset) font, the group label rotated
    "rects-embedded-rotated": (
        pb.Layout(
            label_widths=(20, 60, 192),
            review_col=24,
            group_label="rotate",
            repeat_header=True,
            break_before="results.not_processed.petition",
        ),
        pb.Style(rules="rects", font="embedded"),
    ),
    # header rows with only horizontal rules (the body ruled): the header's cells from the text's own gaps
    "open-header": (
        pb.Layout(label_widths=(20, 60, 192), review_col=21, break_before="results.denied.third_party"),
        pb.Style(rules="open-header"),
    ),
    # a boxed header over a body with horizontal rules only: the whole table read by the layout method
    "open-body": (
        pb.Layout(break_before="results.denied.third_party", repeat_header=True),
        pb.Style(rules="open-body"),
    ),
    # a frame without inner lines: read by the layout method
    "frame": (pb.Layout(break_before="results.unavailable.unclear", repeat_header=True), pb.Style(rules="frame")),
    # only horizontal rules: the rows are the bands between them, the columns implied by the values
    "horizontal-rules": (pb.Layout(break_before="results.partial"), pb.Style(rules="horizontal")),
    # row borders only, the group labels (（三）不予/公开, 三、…) cut by the page break: on the next page no rule
    # starts where the group column ends, the columns the page before had are kept
    "narrow-horizontal": (
        pb.Layout(label_widths=(20, 50, 170), review_col=27, break_before="results.unavailable.not_held"),
        pb.Style(rules="horizontal", header=None, page_numbers=False),
    ),
    # a DOCX draft (labels over up to six lines in narrow default columns) exported with row borders only
    "draft-horizontal": (pb.Layout(label_widths=(14, 30, 24)), pb.Style(rules="horizontal")),
    # ... with no rules at all (the layout method): the corner cell's first line stands beside 申请人情况
    "draft-no-rules": (pb.Layout(label_widths=(14, 30, 24)), pb.Style(rules="none")),
    # ... its rows broken across pages, the values on the first part, 续表 above the rest
    "draft-horizontal-split": (
        pb.Layout(label_widths=(14, 30, 24), split_rows=True, mark="续表"),
        pb.Style(rules="horizontal"),
    ),
    # ... the values on the second part, the header repeated
    "draft-horizontal-split-below": (
        pb.Layout(label_widths=(14, 30, 24), split_rows=True, values_on="second", repeat_header=True),
        pb.Style(rules="horizontal"),
    ),
    # -- classes the variant sweep (benchmarks/bench_pdf_variants.py) found failing --
    # no rules, the label (二)部分公开（区分处理的，…） wrapped seven characters a line: its first line alone is
    # the short wording of the label, its values centred three lines down
    "short-wording-first-line": (pb.Layout(label_widths=(20, 30, 40)), pb.Style(rules="none")),
    # a boxed header over a body with horizontal rules only, the first row's values centred beside a label
    # wrapped over several lines (not on the line right under the header), the header repeated on each page
    "open-body-wrapped-labels": (
        pb.Layout(label_widths=(14, 30, 24), repeat_header=True, break_before="results.denied.third_party"),
        pb.Style(rules="open-body"),
    ),
    # ... no header repeated: the body's part on the next page (rows of values under horizontal rules, no
    # header) is read with the part before by the layout method
    "open-body-narrow-no-repeat": (pb.Layout(label_widths=(16, 29, 33), margin=2.83), pb.Style(rules="open-body")),
    # no rules, a row broken across the page break with its values on the first part: the label's last line
    # alone at the top of the next page is 申请 (4.无正当理由大量反复/申请), words of the header (申请人情况) but
    # not the header repeated
    "no-rules-split-label-end": (
        pb.Layout(
            label_widths=(21.3, 32.1, 29.7),
            break_before="results.denied.internal_affairs",
            split_rows=True,
            size=9.0,
            app_values=(36.0,) * 7,
            intro=0,
            space_before=480.9,
            margin=5.4,
        ),
        pb.Style(font="embedded", rules="none", header=None),
    ),
    # a boxed header over a body with horizontal rules only, table 四 in narrow columns: its header lines
    # (结/果/维/持 beside 尚/未/审/结) as long and dense as prose, still the table's
    "open-body-narrow-review": (
        pb.Layout(
            review_widths=(23.7, 21.7, 25.3, 23.0, 23.0, 25.9, 25.9, 25.2, 25.7, 24.3, 25.4, 21.0, 26.5, 21.4, 22.1),
            size=9.5,
            margin=2.83,
        ),
        pb.Style(rules="open-body"),
    ),
    # ... table 三 ends a little above table 四's boxed header, the heading 四、… between them: table 三's last
    # row borders are not table 四's header rules
    "open-body-tables-close": (
        pb.Layout(
            label_widths=(24.1, 44.6, 54.4),
            app_values=(41.1, 43.9, 45.4, 41.7, 36.6, 38.0, 44.6),
            review_widths=(33.5, 32.3, 36.3, 32.3, 32.3, 36.6, 36.8, 32.3, 33.1, 32.3, 36.0, 32.3, 34.9, 32.3, 32.3),
            mark="续表",
            size=10.5,
            intro=0,
            space_before=29.1,
            margin=5.4,
        ),
        pb.Style(font="embedded", rules="open-body", header=None),
    ),
    # table 四's header at the foot of a page with horizontal rules only, its row of values alone on the next
    "review-break-horizontal": (
        pb.Layout(label_widths=(20, 50, 170), review_col=27, review_break=True),
        pb.Style(rules="horizontal"),
    ),
}
EDITIONS = ("2019", "2021")


def values_for(edition: str, seed: int) -> dict:
    return consistent_values(edition, random.Random(seed), blank_rate=0.2)


def expected(values: dict) -> dict:
    def plain(v):
        if v is None:
            return None
        if isinstance(v, Decimal) and v.as_tuple().exponent < 0:
            return float(v)
        return int(v)

    return {p: plain(v) for p, v in values.items()}


def read_cells(path: Path) -> dict:
    result = extract_path(str(path))
    assert result.readable, result.problems
    return {p: c.value.json() for p, c in result.cells.items()}


@pytest.fixture(scope="module", params=[(s, e) for s in SCENARIOS for e in EDITIONS], ids=lambda p: f"{p[0]}-{p[1]}")
def exported(request, tmp_path_factory):
    scenario, edition = request.param
    layout_, style = SCENARIOS[scenario]
    values = values_for(edition, seed=len(scenario) + int(edition))
    path = tmp_path_factory.mktemp("exports") / f"{scenario}-{edition}.pdf"
    path.write_bytes(pb.render_report(edition, values, layout_, style))
    return scenario, edition, values, path


def test_every_cell_round_trips(exported):
    _, edition, values, path = exported
    result = extract_path(str(path))
    assert result.readable and result.edition == edition
    got = {p: c.value.json() for p, c in result.cells.items()}
    want = expected(values)
    assert {p: got.get(p, "MISSING") for p in want if got.get(p, "MISSING") != want[p]} == {}
    assert set(got) == set(want)
    assert [(p.rule, p.message) for p in result.problems if p.rule.startswith(("S2", "P"))] == []


def test_a_consistent_report_has_no_arithmetic_findings(exported):
    *_, path = exported
    findings = check_report(extract_path(str(path)), load_rules())
    assert [f.rule for f in findings if f.rule.startswith(("A", "S2", "P"))] == []


PLANTED = [("applications", "results.granted", "commercial"), ("review", "litigation_direct", "corrected")]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_planted_errors_are_found_at_their_cells(scenario, tmp_path):
    layout_, style = SCENARIOS[scenario]
    values = values_for("2021", seed=77)
    for path in PLANTED:
        values[path] = (values[path] or 0) + 7
    pdf = tmp_path / "planted.pdf"
    pdf.write_bytes(pb.render_report("2021", values, layout_, style))
    findings = check_report(extract_path(str(pdf)), load_rules())
    placed = {(f.location.get("table"), f.location.get("row"), f.location.get("column")) for f in findings}
    # table 三: a row and a column identity cross at the cell; table 四 has one identity per row (its total)
    assert PLANTED[0] in placed, [(f.rule, f.message) for f in findings]
    assert PLANTED[1] in placed or (*PLANTED[1][:2], None) in placed, [(f.rule, f.message) for f in findings]
    assert [f.rule for f in findings if f.rule.startswith(("S2", "P"))] == []


def test_wrapped_cells_are_one_cell_each(tmp_path):
    """Narrow columns: the header cells and labels wrapped over several lines are read whole."""
    from checker.readers import read

    layout_, style = SCENARIOS["narrow-headers"]
    pdf = tmp_path / "narrow.pdf"
    pdf.write_bytes(pb.render_report("2021", values_for("2021", 5), layout_, style))
    texts = {c.text for b in read(str(pdf)).blocks if b.is_table for row in b.rows for c in row}
    assert {"商业企业", "科研机构", "社会公益组织", "法律服务机构", "结果维持", "尚未审结", "总计"} <= texts
    layout_, style = SCENARIOS["office-draft"]
    pdf.write_bytes(pb.render_report("2021", values_for("2021", 5), layout_, style))
    texts = {c.text for b in read(str(pdf)).blocks if b.is_table for row in b.rows for c in row}
    assert {"1.属于国家秘密", "2.其他法律行政法规禁止公开", "（三）不予公开", "三、本年度办理结果"} <= texts


def test_a_row_broken_across_pages_is_one_row(tmp_path):
    from checker.readers import read

    for values_on in ("first", "second"):
        layout_ = pb.Layout(label_widths=(14, 30, 24), split_rows=True, values_on=values_on)
        pdf = tmp_path / f"split-{values_on}.pdf"
        pdf.write_bytes(pb.render_report("2021", values_for("2021", 9), layout_))
        app = [b for b in read(str(pdf)).blocks if b.is_table][1]
        pages = {c.source.page for row in app.rows for c in row}
        assert len(pages) >= 2
        labels = [row[2].text for row in app.rows[3:]]
        assert len(labels) == len(set(labels)) == 25  # 2021: 25 rows, none doubled or cut


def test_embedded_and_non_embedded_fonts_give_the_same_cells(tmp_path):
    values = values_for("2019", 3)
    layout_ = pb.Layout(label_widths=(20, 60, 192), review_col=21)
    cells = []
    for font in (pb.CID_FONT, "embedded"):
        pdf = tmp_path / f"font-{len(cells)}.pdf"
        pdf.write_bytes(pb.render_report("2019", values, layout_, pb.Style(font=font)))
        cells.append(read_cells(pdf))
    assert cells[0] == cells[1] == expected(values)


# -- the project's own DOCX, exported by LibreOffice ------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_export_of_our_docx_round_trips(tmp_path):
    sources = []
    for edition in EDITIONS:
        # counts up to 99999: five digits do not fit the narrow default columns, LibreOffice breaks them (1041/5)
        values = consistent_values(edition, random.Random(40 + int(edition)), blank_rate=0.2, max_count=99999)
        values[PLANTED[0]] = (values[PLANTED[0]] or 0) + 7
        data = ReportData(edition, 2020 if edition == "2019" else 2023, "某某县人民政府", values)
        path = tmp_path / f"draft-{edition}.docx"
        path.write_bytes(render(data, "docx"))
        sources.append((edition, values, path))
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
        + [str(p) for _, _, p in sources],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for edition, values, path in sources:
        pdf = path.with_suffix(".pdf")
        result = extract_path(str(pdf))
        assert result.edition == edition
        got = {p: c.value.json() for p, c in result.cells.items()}
        assert got == expected(values)
        findings = check_report(result, load_rules())
        placed = {(f.location.get("table"), f.location.get("row"), f.location.get("column")) for f in findings}
        assert PLANTED[0] in placed
        assert [f.rule for f in findings if f.rule.startswith(("S2", "P"))] == []


def test_one_character_objects_of_a_font_not_embedded_are_kept():
    """Text objects of one character (总/计 wrapped, text one character per line) in a font the PDF does not
    embed: where the machine has no such font PDFium's text page used to drop them (their glyph box has no
    width). The reader gives PDFium one stand-in font for every font not embedded, on every machine."""
    import io

    from reportlab.pdfgen import canvas

    from checker.readers.pdf import read

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(pb.PAGE_W, pb.PAGE_H))
    c.setFont(pb.CID_FONT, 10)
    c.drawString(100, 700, "一、总体情况")
    for k, ch in enumerate("三、本年度办理结果"):
        c.drawString(100, 650 - 11 * k, ch)
    c.drawString(200, 650, "总")
    c.drawString(200, 639, "计")
    c.showPage()
    c.save()
    doc = read(buf.getvalue(), "single.pdf")
    text = "".join(b.text for b in doc.blocks)
    assert all(ch in text for ch in "三、本年度办理结果总计")


def test_numbers_close_together_in_a_font_not_embedded_stay_apart():
    """PDFium gives a half-width digit of a CID font the PDF does not embed an em-wide box: the last digit of
    2706 reached 6.5 points into the next cell, and 2706 and 253 in narrow unruled columns were read as one
    value. A box is no wider than the step to the next character's origin (the digits' advance, from the PDF's
    own width table); the last digit takes the digits' width."""
    import dataclasses
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    from checker.readers.pdf import PdfSettings
    from checker.readers.pdf.text import text_layer

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(pb.PAGE_W, pb.PAGE_H))
    c.setFont(pb.CID_FONT, 12)
    x = 100.0
    for text in ("2706", "253", "8", "1076"):  # LibreOffice's padding: 5.7 points between two cells' text
        c.drawString(x, 700, text)
        x += pdfmetrics.stringWidth(text, pb.CID_FONT, 12) + 5.7
    c.showPage()
    c.save()
    frags = []
    for settings in (PdfSettings(), dataclasses.replace(PdfSettings(), min_advance=1e9)):
        _, pages, _ = text_layer(buf.getvalue(), settings)
        frags.append([f.text for ln in pages[0].lines for f in ln.frags])
    assert frags[0] == ["2706", "253", "8", "1076"]
    assert frags[1] != frags[0]  # the em-wide boxes as PDFium gives them


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_tall_open_header_stays_with_its_table(edition):
    """A header drawn with horizontal rules only over a ruled body, its cells in narrow columns wrapped one
    character a line (社/会/公/益/组/织: a header row taller than ``header_reach``): still the table's header."""
    from checker.extract import extract_document
    from checker.readers.pdf import PdfSettings, read

    values = consistent_values(edition, random.Random(87), blank_rate=0.2, max_count=9)
    lay = pb.Layout(label_widths=(20, 60, 150), app_values=(24,) * 6 + (40,), size=10, margin=2.83)
    data = pb.render_report(edition, values, lay, pb.Style(rules="open-header"))
    result = extract_document(read(data, "tall.pdf", PdfSettings()))
    findings = check_report(result, load_rules())
    assert {p: c.value.json() for p, c in result.cells.items()} == expected(values)
    assert [f.rule for f in findings if f.rule.startswith(("A", "S2", "P"))] == []


def test_settings_are_named_and_frozen_and_both_methods_agree(tmp_path):
    """Every tolerance is a field of one frozen dataclass; a ruled table read with the rules ignored (the layout
    method, as for a PDF without rules) gives the same cells as the ruled grid."""
    import dataclasses

    from checker.readers.pdf import PdfSettings, read

    settings = PdfSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.snap = 9.0  # type: ignore[misc]
    values = values_for("2021", 12)
    data = pb.render_report("2021", values, pb.Layout(break_before="results.partial", repeat_header=True))
    from checker.extract import extract_document

    ruled = extract_document(read(data, "ruled.pdf"))
    unruled = extract_document(read(data, "unruled.pdf", dataclasses.replace(settings, min_table_rows=10**6)))
    cells = [{p: c.value.json() for p, c in r.cells.items()} for r in (ruled, unruled)]
    assert cells[0] == cells[1] == expected(values)
    # the two readings differ in how the grid is drawn: the ruled one has every merged cell at each position
    widths = [{len(row) for b in r.document.blocks if b.is_table for row in b.rows} for r in (ruled, unruled)]
    assert widths[0] != widths[1]


def test_two_tables_of_one_width_on_consecutive_pages_stay_two(tmp_path):
    """表三 ends a page and 表四 starts the next with its heading left out: same width, other columns."""
    from checker.readers.pdf import read

    values = values_for("2021", 21)
    lay = pb.Layout()
    w = pb.Writer()
    w.heading(pb.SECTIONS[2])
    grid, _ = pb.app_grid("2021", values, lay)
    pb.draw_grid(w, grid)
    w.new_page()
    pb.draw_grid(w, pb.review_grid(values, lay))
    tables = [b for b in read(w.render(), "two.pdf").blocks if b.is_table]
    assert [len(t.rows[-1]) for t in tables] == [10, 15]


@pytest.mark.parametrize("font", [pb.CID_FONT, "embedded"])
def test_a_boxed_narrow_review_header_over_a_sparse_open_row(font, tmp_path):
    """Table 四 in columns one character wide (Word's 5.4 pt padding): its header boxed (结/果/维/持 beside
    尚/未/审/结, a character a line), its row of values under horizontal rules only and blank in many columns.
    The header's cells are read whole as the rules draw them, and the blank columns are recovered from them
    although the values found stand two or three columns apart."""
    values = values_for("2019", 5)
    review = (1, None, 0, 9, 10), (None, None, 9, None, 9), (None, 9, 5, None, 13)  # 9 of 15 columns hold values
    for row, numbers in zip(("review", "litigation_direct", "litigation_after_review"), review, strict=True):
        for col, number in zip(("upheld", "corrected", "other", "pending", "total"), numbers, strict=True):
            values[("review", row, col)] = number
    layout_ = pb.Layout(
        label_widths=(21.1, 63.8, 182.6),
        app_values=(26.1, 26.3, 25.6, 25.6, 27.4, 26.5, 27.5),
        review_widths=(27.1, 29.6, 31.2, 27.3, 30.3, 26.1, 30.1, 25.6, 25.6, 25.9, 28.8, 27.3, 25.6, 25.8, 26.8),
        size=9.5,
        margin=5.4,
        repeat_header=True,
        group_label="rotate",
        intro=0,
        space_before=68.0,
    )
    pdf = tmp_path / "narrow-review.pdf"
    pdf.write_bytes(pb.render_report("2019", values, layout_, pb.Style(rules="open-body", font=font, header=None)))
    got = read_cells(pdf)
    want = expected(values)
    assert {p: got.get(p, "MISSING") for p in want if p[0] == "review" and got.get(p, "MISSING") != want[p]} == {}
    findings = check_report(extract_path(str(pdf)), load_rules())
    assert [(f.rule, f.message) for f in findings if f.rule == "S202" or "第四部分" in f.message] == []


def test_a_header_after_a_section_heading_does_not_take_the_last_pages_columns(tmp_path):
    """Table 三 ends a page with the heading 四、… under it; table 四's header (horizontal rules only, narrow
    wrapped cells) opens the next page, its row of values ruled on the page after. The header's columns are
    its own, not those of table 三 carried over the page break (a section heading ended that table)."""
    values = values_for("2019", 11)
    layout_ = pb.Layout(
        label_widths=(22.3, 66.7, 166.3),
        app_values=(21.2, 25.7, 23.8, 25.3, 21.2, 21.8, 22.9),
        review_widths=(25.8, 24.1, 24.7, 21.2, 25.2, 22.2, 23.6, 24.9, 21.2, 24.1, 21.2, 21.2, 21.2, 21.2, 24.5),
        repeat_header=True,
        split_rows=True,
        values_on="second",
        review_break=True,
        size=10.0,
        intro=1,
        space_before=25.4,
        margin=2.83,
    )
    pdf = tmp_path / "heading-then-header.pdf"
    pdf.write_bytes(pb.render_report("2019", values, layout_, pb.Style(rules="open-header", header=None)))
    from checker.readers import read

    review = [b for b in read(str(pdf)).blocks if b.is_table][-1]
    texts = {c.text for row in review.rows for c in row}
    assert {"未经复议直接起诉", "复议后起诉", "结果纠正", "其他结果", "尚未审结"} <= texts
    assert read_cells(pdf) == expected(values)
    findings = check_report(extract_path(str(pdf)), load_rules())
    assert [(f.rule, f.message) for f in findings if f.rule.startswith(("S2", "P"))] == []


def test_a_header_row_read_as_two_long_cells_is_text_not_an_endless_loop():
    """A tall open header a reader could flatten into two long cells (the note and the column words run
    together): the lexer leaves the zone once and keeps the rest as text (it recursed without end)."""
    from checker.lexer import tokenize
    from checker.model import Block, Cell, Document, Source

    texts = [
        "申请人情况法人或其他组织社法商科会律",
        "（本列数据的勾稽关系为：第一项加第二项之和，自等于第三项加第四项之和）然总计业研公服其人企机益务他业构组机织构",
    ]
    doc = Document("flat.pdf", "pdf")
    doc.add("heading", "三、收到和处理政府信息公开申请情况", Source(page=1, line=1))
    cells = [Cell(t, Source(page=1, line=2, table=1, row=1, col=k + 1)) for k, t in enumerate(texts)]
    doc.blocks.append(Block("table", "", Source(page=1, line=2, table=1), [cells]))
    toks = tokenize(doc)
    assert [t.kind for t in toks][:2] == ["SECTION", "APP_HDR"]
    assert any(t.kind == "TEXT" and t.text.startswith("(本列数据") for t in toks)


def wide_values(edition: str) -> dict:
    """Consistent values with four-digit numbers among them, none longer (the counts scaled up by one factor keep
    the sums consistent)."""
    values = values_for(edition, seed=3)
    counts = [p for p, v in values.items() if p[0] in ("applications", "review") and v is not None]
    factor = max(1, 9999 // max(values[p] for p in counts))
    return {p: (v * factor if p in counts else v) for p, v in values.items()}


@pytest.mark.parametrize("align", ["left", "right"])
@pytest.mark.parametrize("font", ["STSong-Light", "embedded"])
@pytest.mark.parametrize("rules", ["none", "horizontal"])
@pytest.mark.parametrize("edition", EDITIONS)
def test_a_number_wrapped_inside_its_narrow_cell_is_one_value(edition, rules, font, align, tmp_path):
    """Word and WPS with default column widths (5.4 pt padding): a four-digit value wider than its cell goes on
    two lines of that cell (296/3), aligned like the first; the two lines are one number."""
    values = wide_values(edition)
    lay = pb.Layout(app_values=(27.0,) * 7, review_col=27.0, margin=5.4, value_align=align)
    wraps = [v for p, v in values.items() if p[0] == "applications" and v is not None and v >= 1000]
    assert wraps, "the fixture needs numbers that wrap"
    pdf = tmp_path / "wrapped.pdf"
    pdf.write_bytes(pb.render_report(edition, values, lay, pb.Style(rules=rules, font=font)))
    result = extract_path(str(pdf))
    assert result.readable and result.edition == edition
    got = {p: c.value.json() for p, c in result.cells.items()}
    want = expected(values)
    assert {p: got.get(p, "MISSING") for p in want if got.get(p, "MISSING") != want[p]} == {}
    assert [(p.rule, p.message) for p in result.problems if p.rule.startswith(("S202", "P005"))] == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_small_values_under_numbers_filling_their_cells_stay_their_own_rows(edition, tmp_path):
    """The other side of a wrapped number: three-digit values as wide as their cells and, a row lower, one-digit
    values beside their own labels (no rules, Word's padding) are two rows, not one number."""
    values = values_for(edition, seed=3)
    counts = [p for p, v in values.items() if p[0] in ("applications", "review") and v is not None]
    factor = max(1, 999 // max(values[p] for p in counts))
    values = {p: (v * factor if p in counts else v) for p, v in values.items()}
    small = [v for p, v in values.items() if p in counts and v < 10]
    assert small and max(values[p] for p in counts) >= 100, "the fixture needs full cells and one-digit values"
    lay = pb.Layout(app_values=(27.0,) * 7, review_col=27.0, margin=5.4, value_align="left")
    pdf = tmp_path / "full.pdf"
    pdf.write_bytes(pb.render_report(edition, values, lay, pb.Style(rules="none")))
    result = extract_path(str(pdf))
    got = {p: c.value.json() for p, c in result.cells.items()}
    want = expected(values)
    assert {p: got.get(p, "MISSING") for p in want if got.get(p, "MISSING") != want[p]} == {}
    assert [(p.rule, p.message) for p in result.problems if p.rule.startswith(("S202", "P005"))] == []
