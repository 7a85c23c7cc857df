"""Scanned reports read by OCR (checker.readers.ocr): our generated reports printed with a real CJK font,
rendered to images, turned ±1.5°, blurred, stamped with a red seal over a table, JPEG-compressed and wrapped
back into image-only PDFs (tests/ocr_builder.py), both editions, each with one planted arithmetic error."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from decimal import Decimal

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")
pytest.importorskip("PIL")

import ocr_builder as ob

from checker.engine import check_report, load_rules
from checker.extract import extract_path
from checker.readers import ocr
from checker.readers.ocr.engine import normalise
from checker.writers import consistent_values

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the OCR extra (xxgk[ocr]) is not installed")

# the planted error: the first of these cells holding a number gets one more than it should
PLANT = [
    ("applications", "results.granted", "total"),
    ("applications", "results.partial", "total"),
    ("applications", "new", "total"),
]


def _plain(v):
    if v is None:
        return None
    if isinstance(v, Decimal) and v.as_tuple().exponent < 0:
        return float(v)
    return int(v)


@pytest.fixture(scope="module", params=["2019", "2021"])
def scanned(request, tmp_path_factory):
    if ob.cjk_font() is None:
        pytest.skip("no CJK font on this machine to print the report with")
    edition = request.param
    values = consistent_values(edition, random.Random(int(edition) + 3), blank_rate=0.2)
    planted = next(p for p in PLANT if values.get(p) is not None)
    values[planted] = values[planted] + 1
    path = tmp_path_factory.mktemp("scan") / f"scan-{edition}.pdf"
    path.write_bytes(ob.scan(ob.printed_report(edition, values), seed=int(edition)))
    if not ocr.available():
        return edition, values, planted, path, None
    return edition, values, planted, path, extract_path(str(path))


def test_fixture_is_image_only(scanned):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(scanned[3].read_bytes())
    try:
        assert len(pdf) >= 2
        for page in pdf:
            assert page.get_textpage().count_chars() == 0
    finally:
        pdf.close()


@needs_ocr
def test_every_cell_read_on_95_percent_of_pages(scanned):
    edition, values, _, _, report = scanned
    assert report.readable and report.edition == edition
    assert report.document.ocr is not None
    want = {p: _plain(v) for p, v in values.items()}
    got = {p: c.value.json() for p, c in report.cells.items()}
    wrong = {p: (got.get(p, "MISSING"), want[p]) for p in want if got.get(p, "MISSING") != want[p]}
    # a page is read when every cell on it is read right; a cell missing altogether fails every page
    pages = {c.source.page for c in report.cells.values()}
    bad_pages = {report.cells[p].source.page if p in report.cells else None for p in wrong}
    assert len(pages) >= 2
    read = 0.0 if None in bad_pages else len(pages - bad_pages) / len(pages)
    assert read >= 0.95, wrong
    assert not [p for p in report.problems if p.rule.startswith(("S2", "P"))], report.problems


@needs_ocr
def test_planted_error_found_at_its_cell_and_says_ocr(scanned):
    _, _, planted, _, report = scanned
    address = report.cells[planted].source.cell
    findings = check_report(report, load_rules())
    arithmetic = [f for f in findings if f.rule.startswith("A")]
    at = [
        f for f in arithmetic if f.location.get("cell") == address or any(r.get("cell") == address for r in f.related)
    ]
    assert at, [(f.rule, f.message, f.location.get("cell")) for f in arithmetic]
    for f in at:
        assert "文字识别" in f.message and "置信度" in f.message
        assert 0 < f.location["ocr_confidence"] <= 1


@needs_ocr
def test_no_finding_without_the_ocr_note(scanned):
    report = scanned[4]
    for f in check_report(report, load_rules()):
        assert "文字识别（OCR）" in f.message and f.location.get("ocr") is True, f.message


@needs_ocr
def test_json_says_ocr(scanned):
    from checker.output import report_object

    report = scanned[4]
    obj = report_object(report, check_report(report, load_rules()), with_tables=False)
    assert obj["ocr"] is True
    assert json.loads(json.dumps(obj, ensure_ascii=False))["ocr"] is True


@needs_ocr
def test_html_page_and_terminal_say_ocr(scanned):
    from checker.formats import FORMATTERS
    from checker.output import OCR_BANNER

    report = scanned[4]
    rules = load_rules()
    results = [(report, check_report(report, rules))]
    assert 'class="ocr-banner"' in FORMATTERS["html"](results, rules)
    assert FORMATTERS["text"](results, rules).count(OCR_BANNER) == 1


def test_ocr_never_keeps_the_needs_ocr_answer(scanned):
    report = extract_path(str(scanned[3]), ocr="never")
    assert not report.readable
    assert [p.rule for p in report.problems] == ["P001"]
    assert "OCR" in report.problems[0].message and "never" in report.problems[0].message


@needs_ocr
def test_an_engine_failure_is_one_line(scanned, monkeypatch):
    import checker.readers.ocr.scan as scan

    def broken(*args, **kwargs):
        raise RuntimeError("onnxruntime failed")

    monkeypatch.setattr(scan, "read_pages", broken)
    report = extract_path(str(scanned[3]))
    assert not report.readable and [p.rule for p in report.problems] == ["P001"]
    assert "文字识别（OCR）出错（RuntimeError）" in report.problems[0].message


def test_without_the_extra_the_answer_names_the_install(scanned, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    report = extract_path(str(scanned[3]))
    assert not report.readable
    message = report.problems[0].message
    assert "OCR" in message and "pip install 'xxgk[ocr]'" in message and "\n" not in message


def test_cli_check_ocr_never(scanned):
    out = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--ocr", "never", "--format", "json", str(scanned[3])],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert out.returncode == 2, out.stderr
    doc = json.loads(out.stdout)
    assert "ocr" not in doc["files"][0] if "files" in doc else True
    assert "never" in out.stdout


@pytest.mark.parametrize(
    ("raw", "want"),
    [("O", "0"), ("1O", "10"), ("l2", "12"), ("3。5", "3.5"), ("1，234", "1,234"), ("I0o", "100"), ("规章", "规章")],
)
def test_digit_look_alikes(raw, want):
    assert normalise(raw) == want


def test_words_are_not_numbers():
    assert normalise("Other") == "Other" and normalise("-") == "-" and normalise("。") == "。"


def test_nothing_heavy_imported_for_a_text_pdf(tmp_path):
    """Reading an ordinary file never imports onnxruntime, opencv or Pillow (the CLI must start fast without them,
    and the core install has none of them)."""
    code = (
        "import sys; from checker.readers import ocr; from checker.extract import extract_path; "
        f"extract_path({str(tmp_path / 'r.txt')!r}); "
        "print(any(m in sys.modules for m in ('onnxruntime', 'cv2', 'rapidocr_onnxruntime', 'PIL')))"
    )
    (tmp_path / "r.txt").write_text("一、总体情况\n本年度无。\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
