"""Page images (.png, .jpg/.jpeg, .tif/.tiff) read by OCR through the scanned PDF's path; a multi-page TIFF is
several pages. Without the OCR extra, with ``--ocr never``, or for a corrupt image: one Chinese line."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")
pytest.importorskip("PIL")

import ocr_builder as ob

from checker.discover import iter_candidates
from checker.extract import extract_path
from checker.readers import ocr

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the OCR extra (xxgk[ocr]) is not installed")
needs_font = pytest.mark.skipif(ob.cjk_font_path() is None, reason="no CJK font on this machine")


def _png(tmp_path: Path, name: str = "page.png") -> Path:
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (200, 280), "white").save(path, dpi=(72, 72))
    return path


def test_image_files_are_read_when_named_and_left_out_of_folder_walks(tmp_path: Path) -> None:
    names = ("a.png", "b.JPG", "c.jpeg", "d.tif", "e.tiff")
    for name in (*names, "f.gif"):
        (tmp_path / name).write_bytes(b"x")
    named = [str(tmp_path / name) for name in names]
    assert [c.path for c in iter_candidates(named, None, [])] == named
    # a folder's pictures are mostly not reports (logos, photos): walking it never OCRs them
    assert list(iter_candidates([str(tmp_path)], None, [])) == []


def test_without_the_extra_one_line_names_the_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    report = extract_path(str(_png(tmp_path)))
    assert not report.readable and report.format == "image"
    [problem] = report.problems
    assert problem.rule == "P001" and "pip install 'xxgk[ocr]'" in problem.message and "\n" not in problem.message


def test_ocr_never_is_one_line(tmp_path: Path) -> None:
    report = extract_path(str(_png(tmp_path)), ocr="never")
    assert not report.readable and [p.rule for p in report.problems] == ["P001"]
    assert "never" in report.problems[0].message


@needs_ocr
@pytest.mark.parametrize("name", ["broken.png", "broken.jpg", "broken.tif"])
def test_a_corrupt_image_is_one_line(tmp_path: Path, name: str) -> None:
    good = _png(tmp_path)
    path = tmp_path / name
    path.write_bytes(good.read_bytes()[:60] if name.endswith(".png") else b"\xff\xd8\xff\xe0garbage" * 3)
    if name.endswith(".tif"):
        path.write_bytes(b"II*\x00" + b"\x00" * 40)
    report = extract_path(str(path))
    assert not report.readable and [p.rule for p in report.problems] == ["P001"]
    assert "图片" in report.problems[0].message and "\n" not in report.problems[0].message


def _png_header(width: int, height: int) -> bytes:
    """A PNG that only declares its size (no pixel data): what a decompression bomb looks like when opened."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IEND", b"")
    )


@needs_ocr
@pytest.mark.parametrize(("width", "height"), [(15000, 10000), (30000, 30000)])
def test_a_huge_image_is_refused_in_one_line(tmp_path: Path, width: int, height: int) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header(width, height))
    report = extract_path(str(path))
    assert not report.readable and [p.rule for p in report.problems] == ["P001"]
    assert "图片过大" in report.problems[0].message


@needs_ocr
def test_an_engine_failure_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.readers.ocr.scan as scan

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("onnxruntime failed")

    monkeypatch.setattr(scan, "read_image", broken)
    report = extract_path(str(_png(tmp_path)))
    assert not report.readable and [p.rule for p in report.problems] == ["P001"]
    assert "文字识别（OCR）出错（RuntimeError）" in report.problems[0].message


@needs_ocr
def test_cli_check_of_a_corrupt_image_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)
    out = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(path)], capture_output=True, text=True, encoding="utf-8"
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr + out.stdout
    assert "图片文件已损坏" in out.stdout


@needs_ocr
@needs_font
def test_a_multi_page_tiff_is_several_pages(tmp_path: Path) -> None:
    pages = ob.text_pages([["一、总体情况", "本机关认真贯彻落实条例。"], ["二、主动公开政府信息情况"]])
    path = tmp_path / "scan.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(100, 100))
    report = extract_path(str(path))
    assert report.readable and report.format == "image" and report.document.ocr is not None
    headings = {b.text.strip(): b.source.page for b in report.document.blocks if "、" in b.text[:3]}
    assert headings.get("一、总体情况") == 1 and headings.get("二、主动公开政府信息情况") == 2, headings


@needs_ocr
def test_a_scanned_page_as_jpeg_without_its_resolution_reads_its_cells(tmp_path: Path) -> None:
    """The image carries no dpi: the page is taken as A4. Every cell read is the printed value."""
    import pypdfium2 as pdfium

    if ob.cjk_font() is None:
        pytest.skip("no CJK font on this machine to print the report with")
    data, values = ob.one_page_scan()
    pdf = pdfium.PdfDocument(data)
    try:
        img = pdf[0].render(scale=150 / 72).to_pil().convert("RGB")
    finally:
        pdf.close()
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)  # no dpi written
    path = tmp_path / "page.jpg"
    path.write_bytes(buf.getvalue())
    report = extract_path(str(path))
    assert report.readable and report.edition == "2021" and report.document.ocr is not None
    want = {p: (float(v) if isinstance(v, Decimal) and v.as_tuple().exponent < 0 else v) for p, v in values.items()}
    got = {p: c.value.json() for p, c in report.cells.items() if p in want}
    assert len(got) >= 30
    assert {p: (g, want[p]) for p, g in got.items() if g != want[p]} == {}
