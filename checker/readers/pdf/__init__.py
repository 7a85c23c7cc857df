"""PDF reports: the text layer and the drawing, laid out again into paragraphs, headings and tables.

PDF has no paragraphs, cells or tables, only glyphs and strokes at positions. The characters, their boxes and
the page's path objects come from PDFium through pypdfium2 (Apache-2.0/BSD): ~20 ms for a 6-page report,
where pdfplumber (pdfminer) needs 0.23–0.33 s for the characters alone. One module per job:

* ``text``: characters with font-independent boxes (the PDF's own metrics, never a substituted font's
  glyphs), lines and fragments;
* ``paths``: the ruling lines (strokes, rectangles, borders drawn as thin filled rectangles);
* ``furniture``: page numbers and running headers/footers, dropped;
* ``ruled``: tables whose cells the rules draw (rowspan/colspan, characters by centre, text in reading order);
* ``bands``: tables drawn with horizontal rules only: the column rules implied by the values (rows are the
  bands between the rules), then read as ruled tables;
* ``stitch``: the pieces of a ruled table on consecutive pages joined (repeated header dropped, cut cells and
  rows joined);
* ``unruled``: the layout method for tables without usable rules;
* ``flow``: title, headings, paragraphs and which lines form which table;
* ``settings``: every tolerance, named, in one frozen dataclass.

Every block and cell has ``Source(page=…, line=…)`` (line: 1-based text line on that page, furniture
excluded); table cells also ``table``/``row``/``col``.

A PDF without a text layer (a scan) is read by OCR (``checker.readers.ocr``, the optional extra) into the same
pages; without the extra, or with ``--ocr never``, it raises ``ReadError`` with the OCR message.
Pages without text in an otherwise readable PDF are noted as a P001 problem. Encrypted and corrupt files
raise ``ReadError``; nothing else escapes. PDFium is not thread-safe: its part runs under a lock.
"""

from __future__ import annotations

import threading

from ... import ids
from ...model import Document, Problem, ReadError, Source
from .flow import Layout
from .furniture import PAGE_NUMBER, strip_furniture
from .settings import DEFAULT, PdfSettings
from .text import CORRUPT_MESSAGE, ENCRYPTED_MESSAGE, Page, text_layer

__all__ = [
    "CORRUPT_MESSAGE",
    "ENCRYPTED_MESSAGE",
    "NO_TEXT_MESSAGE",
    "PAGE_NUMBER",
    "PdfSettings",
    "ocr_document",
    "read",
]

NO_TEXT_MESSAGE = "PDF 文件没有文字层（可能是扫描件或图片），无法读取内容，需要先进行文字识别（OCR）"
UNMAPPED_MESSAGE = "PDF 文件的文字层无法解码（字体缺少字符编码映射，提取出的是乱码），需要先进行文字识别（OCR）"

_PDFIUM = threading.Lock()


def read(data: bytes, path: str, settings: PdfSettings = DEFAULT) -> Document:
    """Read a PDF file. Raises ReadError (Chinese, one line) for a file that cannot be read."""
    try:
        with _PDFIUM:  # PDFium is not thread-safe; the layout work below runs outside the lock
            title, pages, broken = text_layer(data, settings)
        if pages and not any(p.chars for p in pages):
            return _scanned(data, path, title, settings)
        partly = _partly_scanned(data, path, title, pages, broken, settings)
        if partly is not None:
            return partly
        return _document(path, title, pages, broken, settings)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"PDF 文件结构异常，无法解析（{type(exc).__name__}）") from exc


def _scanned(data: bytes, path: str, title: str | None, settings: PdfSettings) -> Document:
    """A PDF of page images: read by OCR when the extra is installed and allowed, else the needs-OCR answer."""
    from .. import ocr

    if not ocr.enabled():
        raise ReadError(f"{NO_TEXT_MESSAGE}（{ocr.NEVER_HINT}）")
    if not ocr.available():
        raise ReadError(f"{NO_TEXT_MESSAGE}；{ocr.INSTALL_HINT}")
    from ..ocr.scan import read_pages

    try:
        pages, placed = read_pages(data, _PDFIUM, settings)
    except Exception as exc:  # the engine failed (not the PDF): said as such, in one line
        raise ReadError(f"{NO_TEXT_MESSAGE}；{ocr.ENGINE_FAILED.format(type(exc).__name__)}") from exc
    if not any(p.chars for p in pages):
        raise ReadError(f"{NO_TEXT_MESSAGE}；{ocr.NOTHING_READ}")
    return ocr_document(path, title, pages, placed, settings)


def ocr_document(
    path: str, title: str | None, pages: list[Page], placed: dict, settings: PdfSettings = DEFAULT
) -> Document:
    """Pages read by OCR (a scanned PDF's, page images) laid out as a PDF's are; the document's ``ocr`` holds
    the recognition confidence of every cell (``placed``: the recognised lines of each page)."""
    from ..ocr.scan import confidences

    layout = _layout(path, title, pages, [], settings)
    layout.doc.ocr = confidences(layout.doc, pages, placed, layout.anchors)
    return layout.doc


def _partly_scanned(
    data: bytes, path: str, title: str | None, pages: list[Page], broken: list[int], settings: PdfSettings
) -> Document | None:
    """A text PDF with pages that are only images (a scanned table, a stamped page): those pages read by OCR,
    the report marked ``ocr`` for them and a note naming them. None when there are none, or OCR may not run
    (then the P001 note on those pages stays)."""
    from .. import ocr

    numbers = [p.number for p in pages if p.chars == 0 and p.has_images]
    if not numbers or not ocr.enabled() or not ocr.available():
        return None
    from ..ocr.marks import Confidences, partly_read_note
    from ..ocr.scan import confidences, read_pages

    try:
        scanned, placed = read_pages(data, _PDFIUM, settings, only=numbers)
    except Exception:  # the OCR of a page failed: the text pages still stand, that page keeps its P001 note
        return None
    read = [p for p in scanned if p.chars]
    if not read:
        return None
    by_number = {p.number: p for p in read}
    pages = [by_number.get(p.number, p) for p in pages]
    layout = _layout(path, title, pages, broken, settings)
    done = tuple(p.number for p in read)
    layout.doc.ocr = Confidences(confidences(layout.doc, pages, placed, layout.anchors), pages=done)
    layout.doc.problems.append(Problem(ids.UNREADABLE, partly_read_note(done), Source(page=done[0]), severity="info"))
    return layout.doc


def _document(path: str, title: str | None, pages: list[Page], broken: list[int], settings: PdfSettings) -> Document:
    return _layout(path, title, pages, broken, settings).doc


def _layout(path: str, title: str | None, pages: list[Page], broken: list[int], settings: PdfSettings) -> Layout:
    doc = Document(path=path, format="pdf", title=title)
    total = sum(p.chars for p in pages)
    if total == 0:
        if broken and not pages:
            raise ReadError(CORRUPT_MESSAGE)
        raise ReadError(NO_TEXT_MESSAGE)
    if sum(p.unmapped for p in pages) > total / 2:
        raise ReadError(UNMAPPED_MESSAGE)
    if broken:
        doc.problems.append(Problem(ids.UNREADABLE, f"PDF 第{_pages(broken)}页已损坏，无法读取，该页内容未检查"))
    scanned = [p.number for p in pages if p.chars == 0 and p.has_images]
    if scanned:
        doc.problems.append(
            Problem(
                ids.UNREADABLE,
                f"PDF 第{_pages(scanned)}页没有文字层（可能是扫描图片），该页内容未读取，需要先进行文字识别（OCR）",
                Source(page=scanned[0]),
            )
        )
    strip_furniture(pages, settings)
    layout = Layout(doc, pages, settings)
    layout.run()
    return layout


def _pages(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)
