"""A text PDF with one scanned page (a table page scanned into an exported report): that page alone is read by
OCR, the report is marked ``ocr`` for it with a note naming the page, and only what is on that page says OCR."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")
pytest.importorskip("PIL")

import ocr_builder as ob

from checker.engine import check_report, load_rules
from checker.extract import extract_path
from checker.output import ocr_banner, report_object
from checker.readers import ocr
from checker.writers import consistent_values

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the OCR extra (xxgk[ocr]) is not installed")


def _mixed(printed: bytes, scanned: bytes) -> bytes:
    """Page 1 from the text PDF, page 2 from its scan."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    text, image = pdfium.PdfDocument(printed), pdfium.PdfDocument(scanned)
    try:
        out.import_pages(text, [0])
        out.import_pages(image, [1])
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
        text.close()
        image.close()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):  # type: ignore[no-untyped-def]
    if ob.cjk_font() is None:
        pytest.skip("no CJK font on this machine to print the report with")
    values = consistent_values("2021", random.Random(11), blank_rate=0.2)
    printed = ob.printed_report("2021", values)
    path = tmp_path_factory.mktemp("mixed") / "mixed.pdf"
    path.write_bytes(_mixed(printed, ob.scan(printed, seed=11, dpi=150, stamp_page=-1)))
    return path, values


def test_without_ocr_the_page_is_noted_unread(mixed) -> None:  # type: ignore[no-untyped-def]
    report = extract_path(str(mixed[0]), ocr="never")
    assert report.readable and report.document.ocr is None
    notes = [p.message for p in report.problems if p.rule == "P001"]
    assert any("第2页没有文字层" in m and "需要先进行文字识别" in m for m in notes), notes


@needs_ocr
def test_the_scanned_page_alone_is_read_by_ocr(mixed) -> None:  # type: ignore[no-untyped-def]
    path, values = mixed
    report = extract_path(str(path))
    assert report.readable and report.edition == "2021"
    assert report.document.ocr is not None and report.document.ocr.pages == (2,)
    [note] = [p for p in report.problems if p.rule == "P001"]
    assert note.severity == "info" and "第2页" in note.message and "文字识别" in note.message
    want = {p: (float(v) if isinstance(v, Decimal) and v.as_tuple().exponent < 0 else v) for p, v in values.items()}
    on_page_2 = {p: c.value.json() for p, c in report.cells.items() if c.source.page == 2 and p in want}
    assert len(on_page_2) >= 10
    assert {p: (v, want[p]) for p, v in on_page_2.items() if v != want[p]} == {}
    missing = [
        p for p, v in on_page_2.items() if v is not None and report.cells[p].source.cell not in report.document.ocr
    ]
    assert missing == []
    # every output says which page was recognised; findings elsewhere do not blame OCR
    rules = load_rules()
    findings = check_report(report, rules)
    assert report_object(report, findings, with_tables=False)["ocr"] is True
    assert "第2页为扫描图片" in (ocr_banner(report) or "")
    for f in findings:
        on_text_page = f.location.get("page") == 1 and f.location.get("cell") not in report.document.ocr
        assert ("文字识别（OCR）" in f.message) != on_text_page, (f.rule, f.message)


@needs_ocr
def test_an_ocr_failure_keeps_the_text_pages(mixed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import checker.readers.ocr.scan as scan

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the engine failed")

    monkeypatch.setattr(scan, "read_pages", broken)
    report = extract_path(str(mixed[0]))
    assert report.readable and report.document.ocr is None and report.cells
    assert any("第2页没有文字层" in p.message for p in report.problems if p.rule == "P001")
