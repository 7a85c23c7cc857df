"""A PDF of page images read by OCR: every page rendered, cleaned, recognised and turned into a ``Page``."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager

from ...model import Document
from ..pdf.settings import DEFAULT, PdfSettings
from ..pdf.text import Page
from . import image, notify
from .engine import Item, recognise
from .page import Placed, build_page


def read_pages(
    data: bytes,
    lock: AbstractContextManager | None = None,
    settings: PdfSettings = DEFAULT,
    only: list[int] | None = None,
) -> tuple[list[Page], dict[int, list[Placed]]]:
    """Every page of the PDF (or the page numbers ``only``) read from its image. PDFium (rendering) runs under
    ``lock``; recognition does not."""
    import pypdfium2 as pdfium

    lock = lock or threading.Lock()
    pages: list[Page] = []
    placed: dict[int, list[Placed]] = {}
    with lock:
        pdf = pdfium.PdfDocument(data)
        count = len(pdf)
    indices = [n - 1 for n in only if 0 < n <= count] if only is not None else list(range(count))
    notify(len(indices))
    try:
        for index in indices:
            with lock:
                page = pdf[index]
                try:
                    width, height = page.get_size()
                    if page.get_rotation() % 180 == 90:
                        width, height = height, width
                    rgb = image.render(page)
                finally:
                    page.close()
            page_out, items = read_image(index + 1, width, height, rgb, settings)
            pages.append(page_out)
            placed[index + 1] = items
    finally:
        with lock:
            pdf.close()
    return pages, placed


def read_image(number: int, width: float, height: float, rgb, settings: PdfSettings = DEFAULT):
    """One page image (RGB array at ``image.SCALE``) as a ``Page`` and its recognised lines."""
    import numpy as np

    gray, _ = image.deskew(image.clean(rgb))
    # the rules stay on the image recognition sees: erased, the detector joins the text of neighbouring cells
    # into one line (其他结果|尚未审结); a border read as 丨 or | at a line's end is dropped in ``engine``
    rules = image.rules(gray)
    items = recognise(np.dstack([gray, gray, gray]), image.DET_SCALE)
    page, placed = build_page(number, width, height, items, rules, image.SCALE, settings)
    extra = second_look(page, gray, settings)
    if extra:
        page, placed = build_page(number, width, height, items + extra, rules, image.SCALE, settings)
    return page, placed


# A ruled cell the detector left empty gets a second look when it holds ink: a lone small digit (a 0 in a wide
# cell, a digit under a seal) is what a page-wide detector misses most. Only a number is taken from it.
_INK = 50  # this much darker than the cell's paper is ink (a thin digit, blurred, is far from black)
_MIN_INK = 0.002  # share of a cell's inside that must be ink
_MIN_SCORE = 0.5


def second_look(page: Page, gray, settings: PdfSettings = DEFAULT) -> list[Item]:
    import numpy as np

    from ...values import is_value_text
    from ..pdf.ruled import find_pieces
    from .engine import read_line

    try:
        pieces = find_pieces(page, settings)
    except (ArithmeticError, IndexError, ValueError):
        return []
    s = image.SCALE
    h, w = gray.shape
    out: list[Item] = []
    seen: set[int] = set()
    for piece in pieces:
        for row in piece.grid:
            for box in row:
                if id(box) in seen or box.chars:
                    continue
                seen.add(id(box))
                pad = 3.0  # points: clear of the border and its blur
                x0, x1 = max(0, int((box.x0 + pad) * s)), min(w, int((box.x1 - pad) * s))
                y0, y1 = max(0, int((box.top + pad) * s)), min(h, int((box.bottom - pad) * s))
                if x1 - x0 < 6 or y1 - y0 < 6:
                    continue
                cell = gray[y0:y1, x0:x1]
                ink = cell < float(np.median(cell)) - _INK  # against the cell's own paper (grey scans)
                if ink.mean() < _MIN_INK:
                    continue
                ys, xs = np.nonzero(ink)
                if ys.max() - ys.min() < 4:
                    continue  # a speck or a dash of noise, not a glyph
                m = max(2, int(0.15 * (ys.max() - ys.min() + 1)))  # a margin round the ink, as the detector's
                cy0, cy1 = max(0, ys.min() - m), min(cell.shape[0], ys.max() + m + 1)
                cx0, cx1 = max(0, xs.min() - m), min(cell.shape[1], xs.max() + m + 1)
                crop = cell[cy0:cy1, cx0:cx1]
                found = read_line(np.dstack([crop, crop, crop]))
                if found is None or found[1] < _MIN_SCORE or not is_value_text(found[0]):
                    continue
                if not any(ch.isdigit() for ch in found[0]):
                    continue
                out.append(Item(found[0], x0 + cx0, x0 + cx1, y0 + cy0, y0 + cy1, found[1]))
    return out


def confidences(
    doc: Document,
    pages: list[Page],
    placed: dict[int, list[Placed]],
    anchors: dict[tuple[int, int, int], tuple[int, float, float]],
) -> dict[str, float]:
    """Cell address (``T2!C5``) → the recognition confidence of the text line the cell's text starts in."""
    out: dict[str, float] = {}
    lines = {p.number: {ln.no: ln for ln in p.lines} for p in pages}
    for block in doc.blocks:
        if not block.is_table:
            continue
        for row in block.rows:
            for cell in row:
                src = cell.source
                if cell.spanned or not cell.text.strip() or src.cell is None or src.page is None:
                    continue
                key = (src.table or 0, src.row or 0, src.col or 0)
                found = _at(placed.get(src.page, []), anchors.get(key))
                if found is None:
                    found = _on_line(placed.get(src.page, []), lines.get(src.page, {}).get(src.line or 0), cell.text)
                if found is not None:
                    out[src.cell] = round(found, 3)
    return out


def _at(items: list[Placed], anchor: tuple[int, float, float] | None) -> float | None:
    if anchor is None:
        return None
    _, x, y = anchor
    hits = [it.confidence for it in items if it.x0 <= x <= it.x1 and it.top <= y <= it.bottom]
    return min(hits) if hits else None


def _on_line(items: list[Placed], line, text: str) -> float | None:
    """The layout method keeps no cell positions: the lines on the cell's text line whose text is in the cell."""
    if line is None:
        return None
    compact = "".join(text.split())
    hits = [
        it.confidence
        for it in items
        if line.top - 1 <= (it.top + it.bottom) / 2 <= line.bottom + 1 and "".join(it.text.split()) in compact
    ]
    return min(hits) if hits else None
